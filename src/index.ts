/** obi's public library API. */
export * from './events.js';
export * from './errors.js';
export * from './options.js';
export type { BookSample, SampleStatus } from './core/book-sample.js';
export { createDepthView, copyDepthView, type DepthView } from './core/book/depth-view.js';
export { OrderBook } from './core/book/order-book.js';
export { copyDiff, ParsedDiff, plainDiff, type DiffHeader } from './core/book/parsed-diff.js';
export { parsedLevelStrings } from './core/book/parsed-levels.js';
export * from './core/features/imbalance.js';
export * from './core/features/spread.js';
export * from './core/features/weighted-mid.js';
export * from './core/features/order-flow-imbalance.js';
export * from './core/features/depth-slope.js';
export { Ewma } from './core/stats/ewma.js';
export { TimeEwma } from './core/stats/time-ewma.js';
export { RollingMeanStd } from './core/stats/rolling-mean-std.js';
export { RollingQuantile } from './core/stats/rolling-quantile.js';
export { OnlineCorrelation } from './core/stats/online-correlation.js';
export { RunQuantiles } from './core/stats/run-quantiles.js';
export type { Statistic } from './core/stats/statistic.js';
export { FeatureEngine } from './core/row/feature-engine.js';
export { featureColumns, columnKind, type ColumnKind } from './core/row/column-schema.js';
export { RowPipeline } from './core/row/row-pipeline.js';
export {
  ForwardReturnLabeler,
  horizonColumn,
  horizonName,
  type ForwardReturnOptions,
  type LabelWriter,
} from './core/labels/forward-returns.js';
export {
  ToxicityGate,
  GATE_INPUTS,
  type GateInput,
  type GateRow,
  type GateState,
  type ToxicityGateOptions,
} from './core/signal/toxicity-gate.js';
export { OnlineLogit, type OnlineLogitOptions } from './core/signal/online-logit.js';
export { TradeFlowImbalance } from './core/features/trade-flow.js';
export { Vpin, bulkBuyFraction, type VpinOptions } from './core/features/vpin.js';
export { SEED_COLUMNS, type FeatureRow, type Cell } from './core/row/feature-row.js';
export { RunSummary, type RunMetrics, type RunFacts } from './core/metrics/run-summary.js';
export {
  SignalAnalysis,
  RANK_WINDOW_ROWS,
  type AnalysisOptions,
  type AnalysisResult,
  type TradeFeatureSummary,
} from './core/metrics/signal-analysis.js';
export { LeadLagProfile, type LagCorrelation, type LeadLagResult } from './core/metrics/lead-lag.js';
export type { HorizonResult, InformationCoefficient } from './core/metrics/horizon-metrics.js';
export type { BaseRate, ForwardByState, GateResult, StateResult } from './core/metrics/gate-metrics.js';
export type { PredictorResult } from './core/metrics/predictor-metrics.js';
export {
  fisherInterval,
  RankedSeries,
  shiftedSpearman,
  spearman,
} from './core/metrics/correlation-interval.js';
export { computeRows, isTrade, type FeatureRowStream } from './pipeline/compute-rows.js';
export { sampleSnapshots } from './pipeline/snapshot-sampler.js';
export { resampleToGrid } from './pipeline/resample.js';
export {
  sampleDiffs,
  type DiffSamplerInput,
  type DiffSamplerOptions,
  type SampleMode,
} from './pipeline/diff-sampler.js';
export {
  DiffBookKeeper,
  depthSyncRulesFor,
  type DiffBookKeeperOptions,
  type DiffBookKeeperStats,
  type SnapshotReason,
  type SnapshotRequest,
} from './pipeline/diff-book-keeper.js';
export type { ClockMark } from './pipeline/clock-mark.js';
export { runToFiles, METRICS_SCHEMA_VERSION } from './pipeline/run-to-files.js';
export { pollDepth } from './exchanges/binance/rest-poller.js';
export {
  openWsDepthStream,
  monotonicEpochMs,
  DEFAULT_SNAPSHOT_LIMIT,
  type WsDepthStream,
  type WsDepthStreamOptions,
  type WsDepthStreamStats,
} from './exchanges/binance/ws-depth-stream.js';
export {
  planStreams,
  diffStreamName,
  MAX_STREAMS_PER_CONNECTION,
  type ConnectionPlan,
  type DiffStreamSpeed,
} from './exchanges/binance/ws-stream-plan.js';
export { parseRestDepth, parseDepthUpdate, parseTrade } from './exchanges/binance/parse.js';
export {
  startSimulator,
  type RunningSimulator,
  type SimulatorOptions,
} from './exchanges/simulator/server.js';
export { readRecording } from './io/replay.js';
export { readTardisCsv } from './io/tardis-csv.js';
export { RecordingWriter } from './io/recording-writer.js';
export { CsvSink } from './io/sinks/csv-sink.js';
export { NdjsonSink } from './io/sinks/ndjson-sink.js';
export { ParquetSink, type ParquetColumnKind, type ParquetSinkOptions } from './io/sinks/parquet-sink.js';
export { writeReport, writeReportWithResult } from './report/write-report.js';
export { ReportSink } from './report/report-sink.js';
export { DashboardServer } from './dashboard/dashboard-server.js';
export { tapBooks } from './dashboard/book-tap.js';
export { BusPublishing } from './bus/bus-publishing.js';
export { NatsRowPublisher } from './bus/nats-row-publisher.js';
export { publishEvents } from './bus/publish-events.js';
export { consumeBus, consumeRows } from './bus/bus-consumer.js';
export { parseBusUrl } from './bus/bus-url.js';
export { PostgresSink, parsePostgresUrl } from './io/sinks/postgres-sink.js';
export { planShards } from './plan/shard-plan.js';
export { VERSION } from './version.js';
