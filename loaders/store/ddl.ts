/**
 * @module The workspace's DuckDB tables. Only modules under `loaders/store/` name these tables in SQL.
 *
 * There are no primary keys: DuckDB's ART indexes slow bulk appends several-fold, so ingest dedupes set-wise
 * (an anti-join from staging tables) instead. Times are TIMESTAMP (UTC, microseconds); unknown numbers are NULL.
 *
 * The bulk tables' text columns name their compression: dictionary for ids that repeat and short labels, FSST for
 * unique ids, ZSTD for free text and JSON (span attributes, message contents, tool arguments and results). Left to
 * choose, DuckDB analyzes every method on every segment it writes, which took about a fifth of an ingest's store
 * time for a store a few percent smaller. ZSTD needs a store in DuckDB's 1.2 format (see `NEW_STORE` in `db.ts`);
 * in an older one DuckDB writes those columns uncompressed, but an older store's tables already exist, with FSST.
 */

/** Bumped when a table changes shape; `openStore` refuses a newer workspace and migrates older ones. */
export const STORE_VERSION = 1;

export const TABLES = {
  /** What each input said about a trace as a whole, one row per (source record, trace); `traces` is derived. */
  trace_sources: `
    trace_id VARCHAR NOT NULL,
    format VARCHAR NOT NULL,
    source_file VARCHAR NOT NULL,
    ord BIGINT NOT NULL,
    row_hash VARCHAR NOT NULL,
    session_id VARCHAR,
    user_id VARCHAR,
    name VARCHAR,
    start_time TIMESTAMP,
    end_time TIMESTAMP,
    status VARCHAR,
    model VARCHAR,
    prompt_version VARCHAR,
    input_tokens BIGINT,
    output_tokens BIGINT,
    cost_usd DOUBLE,
    tags VARCHAR[],
    metadata JSON`,
  /** One row per trace, derived from trace_sources and the trace's spans, messages, tool calls and feedback. */
  traces: `
    trace_id VARCHAR NOT NULL,
    session_id VARCHAR,
    user_id VARCHAR,
    name VARCHAR,
    format VARCHAR NOT NULL,
    source_file VARCHAR,
    start_time TIMESTAMP,
    end_time TIMESTAMP,
    latency_ms DOUBLE,
    status VARCHAR NOT NULL,
    model VARCHAR,
    prompt_version VARCHAR,
    input_tokens BIGINT,
    output_tokens BIGINT,
    total_tokens BIGINT,
    cost_usd DOUBLE,
    span_count INTEGER NOT NULL,
    message_count INTEGER NOT NULL,
    tool_call_count INTEGER NOT NULL,
    tool_error_count INTEGER NOT NULL,
    feedback_count INTEGER NOT NULL,
    tags VARCHAR[],
    metadata JSON,
    first_user_message VARCHAR,
    ingested_at TIMESTAMP NOT NULL`,
  spans: `
    trace_id VARCHAR NOT NULL USING COMPRESSION dictionary,
    span_id VARCHAR NOT NULL USING COMPRESSION fsst,
    parent_span_id VARCHAR USING COMPRESSION dictionary,
    name VARCHAR NOT NULL USING COMPRESSION dictionary,
    kind VARCHAR NOT NULL USING COMPRESSION dictionary,
    start_time TIMESTAMP,
    end_time TIMESTAMP,
    duration_ms DOUBLE,
    status VARCHAR NOT NULL USING COMPRESSION dictionary,
    status_message VARCHAR USING COMPRESSION dictionary,
    model VARCHAR USING COMPRESSION dictionary,
    input_tokens BIGINT,
    output_tokens BIGINT,
    cost_usd DOUBLE,
    attributes JSON USING COMPRESSION zstd`,
  messages: `
    trace_id VARCHAR NOT NULL USING COMPRESSION dictionary,
    span_id VARCHAR USING COMPRESSION dictionary,
    idx INTEGER NOT NULL,
    direction VARCHAR NOT NULL USING COMPRESSION dictionary,
    turn INTEGER NOT NULL,
    role VARCHAR NOT NULL USING COMPRESSION dictionary,
    name VARCHAR USING COMPRESSION dictionary,
    content VARCHAR USING COMPRESSION zstd,
    tool_call_id VARCHAR USING COMPRESSION fsst`,
  tool_calls: `
    trace_id VARCHAR NOT NULL USING COMPRESSION dictionary,
    span_id VARCHAR USING COMPRESSION fsst,
    call_id VARCHAR NOT NULL USING COMPRESSION fsst,
    idx INTEGER NOT NULL,
    name VARCHAR NOT NULL USING COMPRESSION dictionary,
    arguments VARCHAR USING COMPRESSION zstd,
    result VARCHAR USING COMPRESSION zstd,
    success BOOLEAN,
    error VARCHAR USING COMPRESSION dictionary`,
  feedback: `
    trace_id VARCHAR NOT NULL,
    span_id VARCHAR,
    name VARCHAR NOT NULL,
    value DOUBLE,
    label VARCHAR,
    comment VARCHAR,
    source VARCHAR NOT NULL`,
  // Calibration: judge verdicts (read by annotation queues), the judge-call cache, runs, and imported judgment sets.
  /** One verdict of one evaluator version on one trace in one run; a failed call is an 'error' row, never a verdict. */
  judge_verdicts: `
    run_id VARCHAR NOT NULL,
    evaluator_id VARCHAR NOT NULL,
    evaluator_version VARCHAR NOT NULL,
    trace_id VARCHAR NOT NULL,
    outcome VARCHAR NOT NULL,
    reasoning VARCHAR,
    error VARCHAR,
    judge_model VARCHAR,
    prompt_hash VARCHAR,
    dataset_version VARCHAR,
    input_tokens BIGINT,
    output_tokens BIGINT,
    cost_usd DOUBLE,
    created_at TIMESTAMP NOT NULL`,
  /** Successful judge answers by (evaluator version, judge model, trace content hash): a rerun costs no calls. */
  judge_cache: `
    cache_key VARCHAR NOT NULL,
    evaluator_version VARCHAR NOT NULL,
    judge_model VARCHAR NOT NULL,
    trace_hash VARCHAR NOT NULL,
    outcome VARCHAR NOT NULL,
    reasoning VARCHAR,
    prompt_hash VARCHAR,
    input_tokens BIGINT,
    output_tokens BIGINT,
    cost_usd DOUBLE,
    created_at TIMESTAMP NOT NULL`,
  /** One row per judge run, updated when it ends; an interrupted run keeps status 'interrupted' until resumed. */
  judge_runs: `
    run_id VARCHAR NOT NULL,
    evaluator_id VARCHAR NOT NULL,
    evaluator_version VARCHAR NOT NULL,
    judge_model VARCHAR,
    dataset_version VARCHAR,
    status VARCHAR NOT NULL,
    total INTEGER NOT NULL,
    calls INTEGER NOT NULL,
    errors INTEGER NOT NULL,
    cost_usd DOUBLE,
    started_at TIMESTAMP NOT NULL,
    finished_at TIMESTAMP`,
  /**
   * One row per online pass of one evaluator that judged or skipped anything (`plumbline online run`): what it
   * found quiet and sampled, the calls it made (the budget counts these), and the traces it left for want of budget.
   */
  online_passes: `
    run_id VARCHAR NOT NULL,
    evaluator_id VARCHAR NOT NULL,
    evaluator_version VARCHAR NOT NULL,
    started_at TIMESTAMP NOT NULL,
    candidates INTEGER NOT NULL,
    judged INTEGER NOT NULL,
    calls INTEGER NOT NULL,
    cached INTEGER NOT NULL,
    errors INTEGER NOT NULL,
    skipped INTEGER NOT NULL,
    cost_usd DOUBLE,
    note VARCHAR`,
  /**
   * Human and judge labels from an imported judgment set (PandaLM, LLMBar, a labels file), one row per (item, rater):
   * the label as the source wrote it, the class it maps to ('1', '2', 'tie', or 'pass'/'fail'; NULL when it maps to
   * none) and any reasoning.
   * Binary pass/fail views (ground truth, per-annotator labels, verdicts) are derived from it at import.
   */
  imported_judgments: `
    dataset VARCHAR NOT NULL,
    item_id VARCHAR NOT NULL,
    trace_id VARCHAR NOT NULL,
    rater VARCHAR NOT NULL,
    rater_kind VARCHAR NOT NULL,
    raw_label VARCHAR,
    label VARCHAR,
    reasoning VARCHAR`,
  /**
   * One row per imported judgment set: where it came from, the criterion it is ground truth for, and the source's
   * rule for a judge's unreadable answer ('wrong', 'missing', 'tie'), which its figures follow. `source` groups the
   * sets one import wrote (one per criterion for a labels file), so importing it again replaces all of them.
   */
  imported_sets: `
    dataset VARCHAR NOT NULL,
    source VARCHAR NOT NULL,
    format VARCHAR NOT NULL,
    criterion VARCHAR NOT NULL,
    null_as VARCHAR NOT NULL,
    non_finite INTEGER NOT NULL,
    imported_at TIMESTAMP NOT NULL`,
  /** The text of an imported item, where the source gives it (a labels file's `text` column). */
  imported_items: `
    dataset VARCHAR NOT NULL,
    item_id VARCHAR NOT NULL,
    trace_id VARCHAR NOT NULL,
    text VARCHAR NOT NULL`,
  /** Every evaluator version that has verdicts: what it is calibrated against, and when it was first seen. */
  evaluator_versions: `
    evaluator_id VARCHAR NOT NULL,
    evaluator_version VARCHAR NOT NULL,
    criterion VARCHAR NOT NULL,
    failure_mode VARCHAR NOT NULL,
    kind VARCHAR NOT NULL,
    judge_model VARCHAR,
    spec JSON,
    first_seen TIMESTAMP NOT NULL`,
  /**
   * Every calibration recorded (by `generate` and `calibrate update`): one evaluator version against one version of
   * its criterion's ground truth (`label_set`), never changed once written. See `CalibrationSnapshotSchema`.
   */
  calibration_snapshots: `
    evaluator_id VARCHAR NOT NULL,
    evaluator_version VARCHAR NOT NULL,
    criterion VARCHAR NOT NULL,
    label_set VARCHAR NOT NULL,
    taken_at TIMESTAMP NOT NULL,
    source VARCHAR NOT NULL,
    split VARCHAR NOT NULL,
    n INTEGER NOT NULL,
    tp INTEGER NOT NULL,
    fp INTEGER NOT NULL,
    fn INTEGER NOT NULL,
    tn INTEGER NOT NULL,
    mcc DOUBLE,
    mcc_low DOUBLE,
    mcc_high DOUBLE`,
  /** Per-annotator labels of imported judgment sets, with the columns of the annotation side's human_labels view. */
  imported_human_labels: `
    trace_id VARCHAR NOT NULL,
    span_id VARCHAR,
    criterion VARCHAR NOT NULL,
    annotator VARCHAR NOT NULL,
    pass BOOLEAN,
    score DOUBLE,
    label VARCHAR,
    failure_mode VARCHAR,
    explanation VARCHAR,
    source VARCHAR NOT NULL,
    annotated_at TIMESTAMP NOT NULL`,
  /** Ground truth of imported judgment sets, with the columns of the annotation side's ground_truth view. */
  imported_ground_truth: `
    trace_id VARCHAR NOT NULL,
    criterion VARCHAR NOT NULL,
    pass BOOLEAN NOT NULL,
    failure_mode VARCHAR,
    explanation VARCHAR,
    decided_by VARCHAR NOT NULL`,
  // Failure clusters and failure modes. `plumbline cluster` replaces clusters and trace_clusters whole on each run.
  /** One row per cluster: 'signature' (equal structural failure signature) or 'semantic' (embedding neighbourhood). */
  clusters: `
    cluster_id VARCHAR NOT NULL,
    kind VARCHAR NOT NULL,
    name VARCHAR NOT NULL,
    size INTEGER NOT NULL,
    sessions INTEGER NOT NULL,
    severity DOUBLE NOT NULL,
    signature VARCHAR,
    terms VARCHAR[],
    representative_trace_ids VARCHAR[] NOT NULL,
    first_seen TIMESTAMP,
    last_seen TIMESTAMP,
    x DOUBLE,
    y DOUBLE,
    method VARCHAR NOT NULL,
    run_id VARCHAR NOT NULL,
    created_at TIMESTAMP NOT NULL`,
  /** Which cluster of each kind a trace belongs to, with its place on the semantic map (x, y; null for signatures). */
  trace_clusters: `
    trace_id VARCHAR NOT NULL,
    cluster_id VARCHAR NOT NULL,
    kind VARCHAR NOT NULL,
    x DOUBLE,
    y DOUBLE`,
  /** Embedding vectors by model and SHA-256 of the embedded text, so a re-run asks the endpoint only for new text. */
  embedding_cache: `
    model VARCHAR NOT NULL,
    text_sha256 VARCHAR NOT NULL,
    vector FLOAT[] NOT NULL,
    created_at TIMESTAMP NOT NULL`,
  /**
   * Drafted failure descriptions (`FailureDraftSchema`): what a model wrote of one flagged trace, by model and
   * prompt version, from evidence text whose SHA-256 it keeps, so a rerun redrafts only traces whose evidence changed.
   * Drafts are unchecked; `plumbline cluster --drafts` writes them and the Annotate page shows them as drafts.
   */
  failure_drafts: `
    trace_id VARCHAR NOT NULL,
    model VARCHAR NOT NULL,
    prompt_version VARCHAR NOT NULL,
    evidence_hash VARCHAR NOT NULL,
    text VARCHAR NOT NULL,
    created_at TIMESTAMP NOT NULL`,
  /** The failure-mode registry, mirrored from the append-only failure-modes.jsonl and what the store shows of each. */
  failure_modes: `
    name VARCHAR NOT NULL,
    description VARCHAR,
    state VARCHAR NOT NULL,
    first_seen TIMESTAMP,
    last_seen TIMESTAMP,
    traces INTEGER NOT NULL,
    sessions_affected INTEGER NOT NULL,
    cluster_ids VARCHAR[] NOT NULL,
    annotation_count INTEGER NOT NULL,
    evaluator_ids VARCHAR[] NOT NULL,
    trends VARCHAR[] NOT NULL,
    prune_candidate BOOLEAN NOT NULL,
    updated_at TIMESTAMP NOT NULL`,
  /**
   * Annotation: a mirror of the annotation log (`annotations/events.jsonl`), one row per event in log order
   * (`seq`). The log is the record; this table is rebuilt from it whenever the two disagree. The views
   * `human_labels` and `ground_truth` (loaders/store/annotationViews.ts) are derived from it.
   */
  annotation_events: `
    seq BIGINT NOT NULL,
    event_id VARCHAR NOT NULL,
    op VARCHAR NOT NULL,
    event_at TIMESTAMP NOT NULL,
    event_by VARCHAR NOT NULL,
    annotation_id VARCHAR NOT NULL,
    trace_id VARCHAR,
    span_id VARCHAR,
    criterion VARCHAR,
    annotator VARCHAR,
    pass BOOLEAN,
    score DOUBLE,
    label VARCHAR,
    failure_mode VARCHAR,
    explanation VARCHAR,
    source VARCHAR,
    annotated_at TIMESTAMP,
    body JSON`,
  // Evaluation datasets and review outcomes (loaders/store/datasets.ts, loaders/store/reviewOutcomes.ts).
  /** One row per version of a named dataset; a version is never changed once written. */
  datasets: `
    name VARCHAR NOT NULL,
    version INTEGER NOT NULL,
    created_at TIMESTAMP NOT NULL,
    created_by VARCHAR NOT NULL,
    source VARCHAR NOT NULL,
    note VARCHAR,
    case_count INTEGER NOT NULL,
    added INTEGER NOT NULL,
    removed INTEGER NOT NULL`,
  /** Every case of every dataset version, in case order (`ord`); `body` is the whole DatasetCase as JSON. */
  dataset_cases: `
    name VARCHAR NOT NULL,
    version INTEGER NOT NULL,
    ord INTEGER NOT NULL,
    case_id VARCHAR NOT NULL,
    kind VARCHAR NOT NULL,
    source_trace_id VARCHAR,
    failure_mode VARCHAR,
    criterion VARCHAR,
    added_by VARCHAR NOT NULL,
    added_at TIMESTAMP NOT NULL,
    body JSON NOT NULL`,
  /** A mirror of the review-outcome file (`annotations/review-outcomes.jsonl`), one row per event in file order. */
  review_outcomes: `
    seq INTEGER NOT NULL,
    id VARCHAR NOT NULL,
    trace_id VARCHAR NOT NULL,
    queue_id VARCHAR,
    outcome VARCHAR NOT NULL,
    note VARCHAR,
    dataset VARCHAR,
    dataset_version INTEGER,
    evaluator_id VARCHAR,
    recorded_by VARCHAR NOT NULL,
    recorded_at TIMESTAMP NOT NULL`,
  // Experiments (loaders/store/experiments.ts; the shapes are src/core/schemas/experiment.ts).
  /** One row per experiment, rewritten as it runs and when it ends; `task` is the whole ExperimentTask as JSON. */
  experiments: `
    name VARCHAR NOT NULL,
    dataset VARCHAR NOT NULL,
    dataset_version INTEGER NOT NULL,
    task_kind VARCHAR NOT NULL,
    task_version VARCHAR NOT NULL,
    model VARCHAR,
    task JSON NOT NULL,
    status VARCHAR NOT NULL,
    started_at TIMESTAMP NOT NULL,
    finished_at TIMESTAMP,
    total INTEGER NOT NULL,
    done INTEGER NOT NULL,
    errors INTEGER NOT NULL,
    cached INTEGER NOT NULL,
    input_tokens BIGINT,
    output_tokens BIGINT,
    cost_usd DOUBLE`,
  /** One row per (experiment, case); a case run again (a resumed error) replaces its row. */
  experiment_results: `
    experiment VARCHAR NOT NULL,
    case_id VARCHAR NOT NULL,
    ord INTEGER NOT NULL,
    trace_id VARCHAR NOT NULL,
    status VARCHAR NOT NULL,
    output VARCHAR,
    error VARCHAR,
    input_tokens BIGINT,
    output_tokens BIGINT,
    cost_usd DOUBLE,
    latency_ms DOUBLE,
    attempts INTEGER NOT NULL,
    cached BOOLEAN NOT NULL,
    started_at TIMESTAMP NOT NULL,
    finished_at TIMESTAMP NOT NULL`,
  /** A task's successful answers by (task version, case content hash), so a rerun of an unchanged task calls nothing. */
  experiment_cache: `
    cache_key VARCHAR NOT NULL,
    task_version VARCHAR NOT NULL,
    case_hash VARCHAR NOT NULL,
    answer JSON NOT NULL,
    input_tokens BIGINT,
    output_tokens BIGINT,
    cost_usd DOUBLE,
    latency_ms DOUBLE,
    created_at TIMESTAMP NOT NULL`,
  // Pairwise judges (loaders/store/pairwiseVerdicts.ts): a judge shown two experiments' outputs for one case.
  /**
   * One answer of a pairwise judge on one pair in one presentation order; a failed call is a row with its error and
   * no answer. `preference` is the answer in the pair's numbering (output 1 is `experiment_1`'s, names sorted).
   */
  pairwise_verdicts: `
    run_id VARCHAR NOT NULL,
    judge_id VARCHAR NOT NULL,
    judge_version VARCHAR NOT NULL,
    judge_model VARCHAR NOT NULL,
    experiment_1 VARCHAR NOT NULL,
    experiment_2 VARCHAR NOT NULL,
    case_id VARCHAR NOT NULL,
    pair_id VARCHAR NOT NULL,
    shown_order VARCHAR NOT NULL,
    answer VARCHAR,
    preference VARCHAR,
    reasoning VARCHAR,
    error VARCHAR,
    cached BOOLEAN NOT NULL,
    input_tokens BIGINT,
    output_tokens BIGINT,
    created_at TIMESTAMP NOT NULL`,
  /** Successful pairwise answers by the exact request (spec version, model, rendered prompt): a rerun costs no calls. */
  pairwise_cache: `
    cache_key VARCHAR NOT NULL,
    answer VARCHAR NOT NULL,
    reasoning VARCHAR NOT NULL,
    input_tokens BIGINT,
    output_tokens BIGINT,
    created_at TIMESTAMP NOT NULL`
} as const;

export type TableName = keyof typeof TABLES;
