import Curriculum
import Engine
import Foundation
import Tokenization
import Training
import Transformer

/// One evaluation of the run's history.
public struct EvaluationRecord: Codable, Sendable, Equatable {
    /// Epochs completed before it (0: the baseline).
    public var epoch: Int
    /// Optimizer steps taken before it.
    public var step: Int
    public var evaluation: MathEvaluation
}

/// What `state.json` holds: everything besides the checkpoint that a resumed run needs.
public struct MathRunState: Codable, Sendable, Equatable {
    public var completedEpochs = 0
    /// The checkpoint folder written after the last completed epoch, relative to the run directory.
    public var checkpoint: String?
    public var scheduler: DatasetScheduler
    /// Baseline first, then one record per evaluation.
    public var history: [EvaluationRecord] = []
    /// Epoch of the best accuracy so far (0: the baseline).
    public var bestEpoch = 0
    public var evaluationsWithoutImprovement = 0
    public var stoppedEarly = false

    public var best: EvaluationRecord? { history.first { $0.epoch == bestEpoch } }
}

/// GRPO on grade-school math: a fixed evaluation subset, a baseline before training, epochs whose
/// batches and rollout counts come from the curriculum, a cluster report after each epoch,
/// evaluation every `evalEvery` epochs, early stopping after `earlyStopPatience` evaluations
/// without a new best, the best model saved under `best/`, and resumption from the run directory.
///
/// Run directory: `config.json`, `metrics.jsonl` (one line per step, with its epoch),
/// `evaluations.jsonl`, `reports/epoch-N.txt` (cluster reports), `state.json`, `checkpoints/`
/// (after every epoch) and `best/` (the best evaluation's weights, loadable with `--adapter`).
public final class MathTrainingRun {
    /// Mixed into the seed of the evaluation subset, so that it differs from the training subset
    /// drawn with the same seed (`specgrpo eval --seed S` uses it too).
    public static let evaluationSubsetSalt: UInt64 = 0xE7A1
    public let config: MathTrainingConfig
    public let trainer: GRPOTrainer
    public let trainProblems: [MathProblem]
    public let evalProblems: [MathProblem]
    let evalPrompts: [[Int32]]
    let directory: RunDirectory?
    let log: (String) -> Void
    public private(set) var state: MathRunState

    /// - Parameters:
    ///   - train, test: the training and evaluation files (seeded subsets are taken of both).
    ///   - directory: the run directory; when it holds a `state.json` the run resumes from it.
    public init(model: TransformerModel, tokenizer: Tokenizer, train: MathDataset, test: MathDataset, config: MathTrainingConfig,
                speculative: SpeculativeConfig?, draftModel: TransformerModel? = nil, engineConfig: EngineConfig = EngineConfig(),
                directory: RunDirectory?, log: @escaping (String) -> Void = { print($0) }) throws {
        try config.validate()
        self.config = config
        self.directory = directory
        self.log = log
        trainProblems = train.subset(count: config.maxTrainSamples, seed: config.seed)
        evalProblems = test.subset(count: config.evalSamples, seed: config.seed ^ Self.evaluationSubsetSalt)
        let prompt = MathPrompt(systemPrompt: config.systemPrompt, template: tokenizer.chatTemplate ?? ChatTemplate(defaultSystemPrompt: nil))
        let encode = { (p: MathProblem) in tokenizer.encode(prompt.render(p)) }
        evalPrompts = evalProblems.map(encode)
        trainer = try GRPOTrainer(base: model, prompts: trainProblems.map(encode), config: config.resolvedGRPO,
                                  scorer: .mathAnswer(trainProblems), tokenizer: tokenizer, speculative: speculative,
                                  draftModel: draftModel, engineConfig: engineConfig)
        state = MathRunState(scheduler: try DatasetScheduler(sampleCount: trainProblems.count, config: config.scheduler, seed: config.seed))
        if let dir = directory, let data = FileManager.default.contents(atPath: dir.path + "/state.json") {
            state = try JSONDecoder().decode(MathRunState.self, from: data)
            if let checkpoint = state.checkpoint {
                trainer.resume(try Checkpoint.load(from: dir.path + "/" + checkpoint, into: trainer.model, optimizer: trainer.optimizer))
            }
            log("resumed from \(dir.path) after epoch \(state.completedEpochs) (step \(trainer.optimizer.step))")
        }
    }

    /// Greedy accuracy of the current weights on the fixed evaluation subset.
    public func evaluate(label: String) throws -> MathEvaluation {
        try MathEvaluation.run(trainer.llm, prompts: evalPrompts, problems: evalProblems, maxNewTokens: config.evalMaxNewTokens,
                               chunk: config.evalConcurrency) { done, total in
            self.log("  \(label): \(done)/\(total) problems")
        }
    }

    /// Runs (or resumes) until `numEpochs` epochs, or early stopping.
    @discardableResult
    public func run() throws -> MathRunState {
        log("train: \(trainProblems.count) problems | eval: \(evalProblems.count) fixed problems (seed \(config.seed)) | curriculum \(config.curriculum ? "on" : "off") | reward \(config.correctnessOnly ? "correctness only" : "inference-aware")")
        if state.history.isEmpty {
            let baseline = try evaluate(label: "baseline")
            state.history.append(EvaluationRecord(epoch: 0, step: 0, evaluation: baseline))
            try directory?.writeJSON(state, to: "state.json")
            try appendEvaluation(state.history[0])
            log(">>> baseline: \(baseline.summary)")
        }
        while state.completedEpochs < config.numEpochs && !state.stoppedEarly {
            try runEpoch()
        }
        let best = state.best!
        log("done after \(state.completedEpochs) epoch(s)\(state.stoppedEarly ? " (early stop)" : "")")
        log("baseline \(pct(state.history[0].evaluation)) → best \(pct(best.evaluation)) at epoch \(best.epoch)\(best.epoch == 0 ? " (the baseline: no epoch improved on it)" : "")")
        if let dir = directory {
            if let checkpoint = state.checkpoint { log("last checkpoint: \(dir.path)/\(checkpoint)") }
            log(best.epoch > 0 ? "best weights: \(dir.path)/best (specgrpo eval --adapter \(dir.path)/best)" : "best weights: the base model (no adapter saved)")
        }
        return state
    }

    private func runEpoch() throws {
        let epoch = state.completedEpochs + 1
        let batches = state.scheduler.batches()
        log("── epoch \(epoch)/\(config.numEpochs): \(batches.count) batches ──")
        for batch in batches {
            let sizes = config.curriculum ? batch.samples.map(\.rollouts) : Array(repeating: config.grpo.groupSize, count: batch.samples.count)
            let report = try trainer.step(prompts: batch.indices, groupSizes: sizes)
            for (rollout, reward) in zip(report.rollouts, report.rewards) {
                try state.scheduler.record(sample: rollout.promptIndex, reward: reward, taskScore: rollout.measurement.taskScore)
            }
            log("  " + GRPORun.line(report) + " | rollouts \(sizes.map(String.init).joined(separator: ","))")
            try directory?.appendMetrics(report.metrics, step: report.step, extra: ["epoch": epoch])
        }
        let clusters = state.scheduler.endEpoch()
        log(clusters.text)
        try directory.map { dir in
            try FileManager.default.createDirectory(atPath: dir.path + "/reports", withIntermediateDirectories: true)
            try clusters.text.write(toFile: dir.path + "/reports/epoch-\(epoch).txt", atomically: true, encoding: .utf8)
        }
        if epoch % config.evalEvery == 0 || epoch == config.numEpochs {
            let e = try evaluate(label: "epoch \(epoch) eval")
            let record = EvaluationRecord(epoch: epoch, step: trainer.optimizer.step, evaluation: e)
            state.history.append(record)
            try appendEvaluation(record)
            // Strictly better than the best so far, as the original; ties keep the earlier model.
            if e.correct > state.best!.evaluation.correct {
                state.bestEpoch = epoch
                state.evaluationsWithoutImprovement = 0
                if let dir = directory { try saveBest(dir) }
                log(">>> epoch \(epoch): \(e.summary)  ★ new best")
            } else {
                state.evaluationsWithoutImprovement += 1
                log(">>> epoch \(epoch): \(e.summary)  (no improvement \(state.evaluationsWithoutImprovement)/\(config.earlyStopPatience))")
                if state.evaluationsWithoutImprovement >= config.earlyStopPatience {
                    state.stoppedEarly = true
                    log("early stop: \(config.earlyStopPatience) evaluation(s) without a new best")
                }
            }
        }
        state.completedEpochs = epoch
        if let dir = directory {
            let path = try trainer.saveCheckpoint(to: dir.checkpoints)
            state.checkpoint = "checkpoints/" + (path as NSString).lastPathComponent
            try dir.writeJSON(state, to: "state.json")
        }
    }

    /// Saves the current weights as `best/` (a checkpoint root of its own, written atomically) and
    /// removes the previous best's folder.
    private func saveBest(_ dir: RunDirectory) throws {
        let root = dir.path + "/best"
        let old = (try? FileManager.default.contentsOfDirectory(atPath: root)) ?? []
        let saved = (try trainer.saveCheckpoint(to: root) as NSString).lastPathComponent
        for name in old where name.hasPrefix("step-") && name != saved { try? FileManager.default.removeItem(atPath: root + "/" + name) }
    }

    private func appendEvaluation(_ record: EvaluationRecord) throws {
        guard let dir = directory else { return }
        var line = try JSONEncoder().encode(record)
        line.append(0x0A)
        try RunDirectory.append(line, to: dir.path + "/evaluations.jsonl")
    }

    private func pct(_ e: MathEvaluation) -> String {
        String(format: "%.1f %% [%.1f, %.1f]", 100 * e.accuracy, 100 * e.lower, 100 * e.upper)
    }
}
