import assert from "node:assert/strict";
import {describe, test} from "node:test";
import {AnnotationSchema, ANNOTATION_VERSION} from "../schemas/annotation.js";
import {FeedbackSchema} from "../schemas/feedback.js";
import {CriterionSchema} from "../schemas/rubric.js";
import {feedbackLabel, sameFeedback, type FeedbackFields} from "./endUserFeedback.js";

const overall = CriterionSchema.parse({id: "overall", question: "Did it work?", kind: "boolean"});
const tone = CriterionSchema.parse({
  id: "tone",
  question: "How did it sound?",
  kind: "categorical",
  options: ["kind", "rude"],
  failing: ["rude"]
});

const fieldsOf = (body: object, criterion = overall): FeedbackFields => {
  const label = feedbackLabel(FeedbackSchema.parse(body), criterion);
  if ("error" in label) throw new Error(label.error);
  return label.fields;
};

describe("feedbackLabel(feedback, criterion)", () => {
  test("reads thumbs, scores, stars and words as pass/fail with a score, as imported thumbs are read", () => {
    const read = (value: unknown) => {
      const f = fieldsOf({id: "a", traceId: "t", value});
      return [f.pass, f.score];
    };
    assert.deepEqual(read(true), [true, 1]);
    assert.deepEqual(read(false), [false, 0]);
    assert.deepEqual(read(0.25), [false, 0.25]);
    assert.deepEqual(read(5), [true, 1]);
    assert.deepEqual(read("down"), [false, 0]);
  });

  test("a word for a categorical criterion is its category, and a comment alone is a label without a verdict", () => {
    assert.deepEqual(fieldsOf({id: "a", traceId: "t", name: "tone", value: "rude"}, tone).label, "rude");
    const comment = fieldsOf({id: "a", traceId: "t", comment: "slow"});
    assert.deepEqual([comment.pass, comment.score, comment.explanation], [null, null, "slow"]);
  });

  test("an unreadable value or time is an error that says what to send", () => {
    const bad = feedbackLabel(FeedbackSchema.parse({id: "a", traceId: "t", value: "meh"}), overall);
    assert.match("error" in bad ? bad.error : "", /unrecognised verdict.*true\/false/);
    const time = feedbackLabel(FeedbackSchema.parse({id: "a", traceId: "t", value: 1, createdAt: "soon"}), overall);
    assert.match("error" in time ? time.error : "", /unreadable createdAt/);
  });

  test("the schema refuses a body that says nothing, or names one thing two ways", () => {
    assert.equal(FeedbackSchema.safeParse({id: "a", traceId: "t"}).success, false);
    assert.equal(FeedbackSchema.safeParse({id: "a", traceId: "t", value: 1, name: "a", key: "b"}).success, false);
    assert.equal(
      FeedbackSchema.safeParse({id: "a", traceId: "t", value: 1, spanId: "a", observationId: "b"}).success,
      false
    );
  });
});

describe("sameFeedback(stored, fields)", () => {
  const stored = (fields: FeedbackFields, createdAt = 1000) =>
    AnnotationSchema.parse({...fields, version: ANNOTATION_VERSION, id: "x", createdAt: fields.createdAt ?? createdAt});

  test("a retry is the same feedback though the server stamped another time; other content is not", () => {
    const first = fieldsOf({id: "a", traceId: "t", value: false, comment: "no"});
    assert.equal(sameFeedback(stored(first, 1000), first), true);
    assert.equal(sameFeedback(stored(first), fieldsOf({id: "a", traceId: "t", value: true, comment: "no"})), false);
    assert.equal(sameFeedback(stored(first), fieldsOf({id: "a", traceId: "t", value: false, comment: "No"})), false);
    assert.equal(sameFeedback(stored(first), fieldsOf({id: "a", traceId: "u", value: false, comment: "no"})), false);
    const timed = fieldsOf({id: "a", traceId: "t", value: false, createdAt: 5000});
    assert.equal(sameFeedback(stored(timed), timed), true);
    assert.equal(sameFeedback(stored(timed), fieldsOf({id: "a", traceId: "t", value: false, createdAt: 6000})), false);
  });
});
