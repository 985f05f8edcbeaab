export const CHROMIUM_PATH: string;
export const CHROMIUM_ARGS: readonly string[];
export const SHARED_CHROMIUM_ENV: string;
