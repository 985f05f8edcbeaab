/**
 * @module Writes from a page. The JSON API exists only when `plumbline start` serves the site; a static build has
 * none, so a failed request says to run the equivalent command shown beside the form.
 */
export async function tryApi(
  path: string,
  body: unknown
): Promise<{ok: true; value: unknown} | {ok: false; message: string}> {
  let response: Response;
  try {
    response = await fetch(path, {
      method: "POST",
      headers: {"content-type": "application/json"},
      body: JSON.stringify(body)
    });
  } catch {
    return {ok: false, message: "This site has no API (a static build): run the command above instead."};
  }
  if (response.status === 404 || response.status === 405)
    return {ok: false, message: "This site has no API (a static build): run the command above instead."};
  let json: unknown = null;
  try {
    json = await response.json();
  } catch {
    // A body that is not JSON is reported by its status alone.
  }
  if (!response.ok) {
    const error =
      json && typeof json === "object" && "error" in json
        ? String((json as {error: unknown}).error)
        : `status ${response.status}`;
    return {ok: false, message: `Refused: ${error}`};
  }
  return {ok: true, value: json};
}
