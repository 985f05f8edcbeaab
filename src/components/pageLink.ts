/**
 * @module Links from a view to one of Plumbline's pages that work wherever the view is shown: on Plumbline's own
 * pages, in a user's notebook under `notebooks/`, under any base path, and on a static server that maps nothing
 * (the link names the `.html` file). Framework serves this module from `_import/components/` at the site's root
 * in the built site and in preview alike, so the root is two folders up from it.
 */
export function pageHref(page: string, hash = ""): string {
  return new URL(`../../${page}.html${hash}`, import.meta.url).href;
}
