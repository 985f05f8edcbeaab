import assert from "node:assert/strict";
import {test} from "node:test";
import {errorTemplate} from "./errorTemplate.js";

test("errors that differ only in ids, numbers and dates share one template", () => {
  const a = errorTemplate("Error: flight HAT030 not available on date 2024-05-13");
  const b = errorTemplate("Error: flight HAT251 not available on date 2024-05-20");
  assert.equal(a, "Error: flight <id> not available on date <date>");
  assert.equal(a, b);
  assert.equal(
    errorTemplate("Error: payment amount does not add up, total price is 305, but paid 255"),
    "Error: payment amount does not add up, total price is <n>, but paid <n>"
  );
});

test("quoted values, urls, uuids and paths become placeholders", () => {
  assert.equal(errorTemplate(`KeyError: 'refund_id' at /srv/app/handlers/refund.py`), "KeyError: <str> at <path>");
  assert.equal(errorTemplate("GET https://api.example.com/v1/orders/77 failed"), "GET <url> failed");
  assert.equal(errorTemplate("order 3f2b8c1e-1111-4a4a-9b9b-0123456789ab not found"), "order <id> not found");
  assert.equal(errorTemplate("user_id mia_li_3668 unknown"), "user_id <id> unknown");
});

test("plain error words are kept and long text is cut with an ellipsis", () => {
  assert.equal(errorTemplate("  Error:   gift card balance is not enough "), "Error: gift card balance is not enough");
  const long = errorTemplate("timeout ".repeat(60), 40);
  assert.equal(long.length, 40);
  assert.ok(long.endsWith("…"));
});
