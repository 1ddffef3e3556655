import Foundation
import Logging
import Synchronization
import TockCore
import TockModel
import TockRaft
import TockSQLite
import TockTestSupport
import TockWire

@testable import TockShard

/// Three real `RaftDriver`s, each on its own SQLite file and snapshot files in a temporary directory, on a simulated
/// network (`SimulatedRaftNetwork`) and simulated clocks: each node's loop runs on a `ManualLoopClock` that the
/// simulation moves one tick at a time. Every random choice of the schedule comes from one seed. Under faults —
/// messages dropped and delayed, partitions, nodes stopped and restarted from their files, leadership handed over —
/// clients submit jobs to whichever node believes it leads. Once the faults stop, every job a client was told is
/// created must be in the job tables of every node, the nodes' tables must agree, and a new submit must be
/// acknowledged within a bound.
struct DriverSimulation {
    struct Failure: Error, CustomStringConvertible {
        var seed: UInt64
        var tick: Int
        var what: String
        var description: String { "seed \(seed), tick \(tick): \(what)" }
    }

    struct Running {
        var driver: RaftDriver
        var database: DatabaseQueue
        var task: Task<Void, any Error>
    }

    /// What the clients were told, from their tasks.
    final class Clients: Sendable {
        struct State {
            var acknowledged: Set<String> = []
            var issued: Set<String> = []
            /// Every job whose submit was answered, however.
            var answered: Set<String> = []
            var outstanding = 0
            var refused = 0
            var unknown = 0
            /// Answers no correct node gives to a new job's submit.
            var wrong: [String] = []
        }

        let state = Mutex(State())
    }

    /// Ticks within which, once the faults stop, a submit is acknowledged: elections are won by chance, and the
    /// core simulation's bound for a leader to accept commands is 250 ticks (see `Simulation.electionBound`).
    static let electionBound = 250
    /// Ticks within which, once a submit was acknowledged, every open submit is answered, and then every node
    /// applies what the leader committed: a few election timeouts (10 ticks each), plus a snapshot's catch-up.
    static let progressBound = 150

    let seed: UInt64
    let ids: [NodeID] = ["n1", "n2", "n3"]
    let directory: URL
    var random: SplitMix64
    let network: SimulatedRaftNetwork
    let clients = Clients()
    var running: [NodeID: Running] = [:]
    /// Each node's time, kept across its restarts.
    let clocks: [NodeID: ManualLoopClock]
    var downUntil: [NodeID: Int] = [:]
    var now = 0
    var nextJob = 0
    var partitionEndsAt = 0
    let rates: (drop: Double, partition: Double, restart: Double, transfer: Double, maxDelay: Int)
    /// What the run did, so a test can tell its faults happened.
    var restarts = 0
    var transfers = 0

    init(seed: UInt64, directory: URL) {
        self.seed = seed
        self.directory = directory
        random = SplitMix64(seed: seed)
        clocks = Dictionary(uniqueKeysWithValues: ids.map { ($0, ManualLoopClock()) })
        network = SimulatedRaftNetwork(seed: seed)
        rates =
            switch seed % 2 {
            case 0: (drop: 0.05, partition: 0.01, restart: 0.005, transfer: 0.005, maxDelay: 2)
            default: (drop: 0.15, partition: 0.03, restart: 0.01, transfer: 0.01, maxDelay: 5)
            }
    }

    func configuration(_ id: NodeID) -> RaftClusterConfiguration {
        var configuration = RaftClusterConfiguration()
        configuration.nodeID = id
        // The addresses only name the voters: the simulated network never dials them.
        configuration.peers = Dictionary(
            uniqueKeysWithValues: ids.enumerated().map {
                ($1, HostPort(host: "127.0.0.1", port: 1 + $0))
            })
        // Longer than any run (12,000 ticks): a client waits for its answer, however the faults delay it.
        configuration.requestTimeout = .seconds(600)
        // Small, so that restarts load snapshots and lagging nodes are sent them.
        configuration.snapshotEvery = 20
        return configuration
    }

    mutating func chance(_ p: Double) -> Bool { Double(random.next() % 1_000_000) < p * 1_000_000 }
    mutating func pick(_ range: ClosedRange<Int>) -> Int { range.lowerBound + Int(random.next() % UInt64(range.count)) }

    func fail(_ what: String) -> Failure { Failure(seed: seed, tick: now, what: what) }

    // MARK: Running

    /// `chaosTicks` of faults, then the checks on a healed network; every node is stopped at the end.
    mutating func run(chaosTicks: Int = 400) async throws {
        do {
            for id in ids { try start(id) }
            network.faults = .init(drop: rates.drop, maxDelay: rates.maxDelay)
            for _ in 0..<chaosTicks { try await step(chaos: true) }
            try await heal()
            try await checkEveryAcknowledgedJobIsEverywhere()
        } catch {
            await stopAll()
            throw error
        }
        await stopAll()
    }

    mutating func step(chaos: Bool, proposing: Bool = true) async throws {
        now += 1
        if chaos { await injectFaults() }
        for id in ids where running[id] == nil && (downUntil[id] ?? .max) <= now {
            try start(id)
            downUntil[id] = nil
        }
        if proposing, chance(0.5) { submit() }
        try await tickAll()
        await network.advance()
    }

    mutating func injectFaults() async {
        var faults = network.faults
        if faults.partition == nil, chance(rates.partition) {
            var sides: [NodeID: Int] = [:]
            for id in ids { sides[id] = pick(0...1) }
            faults.partition = sides
            partitionEndsAt = now + pick(10...60)
        } else if faults.partition != nil, now >= partitionEndsAt {
            faults.partition = nil
        }
        network.faults = faults
        for id in ids where running[id] != nil && chance(rates.restart) {
            await stop(id)
            downUntil[id] = now + pick(3...40)
            restarts += 1
        }
        if chance(rates.transfer), let leader = believedLeader {
            let others = ids.filter { $0 != leader }
            let target = others[pick(0...(others.count - 1))]
            if (try? await running[leader]!.driver.transferLeadership(to: target)) != nil { transfers += 1 }
        }
    }

    /// The faults stop: every node is up, the network whole and lossless. Then, within the bound: a new submit is
    /// acknowledged, every open submit is answered, and every node applies what the leader committed.
    mutating func heal() async throws {
        network.faults = .init(drop: 0, maxDelay: 1)
        for id in ids where running[id] == nil { try start(id) }
        downUntil = [:]
        let healedAt = now
        // Sent to the leader once there is one, and again (as a client retries) if it was refused or its outcome
        // is unknown.
        var probe: String?
        while !clients.state.withLock({ state in probe.map { state.acknowledged.contains($0) } ?? false }) {
            guard now - healedAt <= Self.electionBound else {
                throw fail("liveness: no submit acknowledged within \(Self.electionBound) ticks of healing")
            }
            let answered = clients.state.withLock { state in probe.map { state.answered.contains($0) } ?? true }
            if answered, believedLeader != nil {
                probe = "s\(seed)-after-healing-\(now)"
                submit(probe)
            }
            try await step(chaos: false)
        }
        // Clients go on until every submit from before the healing is answered: one left at a deposed leader,
        // whose entry a new leader's log truncated, is answered once a later entry takes its index (or at the
        // driver's request timeout, in real time, which the simulation does not wait for).
        let open = clients.state.withLock { $0.issued.subtracting($0.answered) }
        var phaseStart = now
        while !clients.state.withLock({ open.isSubset(of: $0.answered) }) {
            guard now - phaseStart <= Self.progressBound else {
                let unanswered = clients.state.withLock { open.subtracting($0.answered) }
                throw fail(
                    "liveness: submits from before the healing unanswered after \(Self.progressBound) ticks: "
                        + "\(unanswered.sorted().prefix(3))")
            }
            try await step(chaos: false)
        }
        phaseStart = now
        while clients.state.withLock({ $0.outstanding }) > 0 {
            guard now - phaseStart <= Self.progressBound else {
                let open = clients.state.withLock { $0.outstanding }
                throw fail("liveness: \(open) submits unanswered \(Self.progressBound) ticks after the clients stopped")
            }
            try await step(chaos: false, proposing: false)
        }
    }

    /// Every acknowledged job reaches every node's job table, and the tables end up the same at the same applied
    /// index, within the bound once every submit was answered (a node may still be applying when it is checked).
    mutating func checkEveryAcknowledgedJobIsEverywhere() async throws {
        let told = clients.state.withLock { $0 }
        guard told.wrong.isEmpty else { throw fail("wrong answers to submits: \(told.wrong.prefix(3))") }
        let start = now
        while true {
            guard let problem = try await divergence(acknowledged: told.acknowledged) else { return }
            guard now - start <= Self.progressBound else {
                throw fail("\(problem), \(Self.progressBound) ticks after every submit was answered")
            }
            try await step(chaos: false, proposing: false)
        }
    }

    /// How the nodes' job tables fall short of every acknowledged job, or differ; nil when they do not.
    func divergence(acknowledged: Set<String>) async throws -> String? {
        var tables: [NodeID: Set<String>] = [:]
        var applied: [NodeID: UInt64] = [:]
        for id in ids {
            applied[id] = running[id]!.driver.status.appliedIndex
            let jobs = try await running[id]!.database.read { db in
                try db.statement("SELECT id FROM jobs").map { $0.text(0) }
            }
            tables[id] = Set(jobs)
            let missing = acknowledged.subtracting(jobs)
            if !missing.isEmpty {
                return "\(id) lacks \(missing.count) acknowledged jobs, e.g. \(missing.sorted().prefix(3))"
            }
        }
        if Set(applied.values).count > 1 { return "applied indexes differ: \(applied.sorted { $0.key < $1.key })" }
        if Set(tables.values).count > 1 {
            return "job tables differ at one applied index: \(tables.mapValues(\.count).sorted { $0.key < $1.key })"
        }
        return nil
    }

    // MARK: Nodes

    mutating func start(_ id: NodeID) throws {
        let database = try DatabaseQueue(path: directory.appendingPathComponent("\(id).sqlite").path)
        try database.syncWrite { try ShardSchema.migrate($0) }
        var logger = Logger(label: "driver-simulation")
        logger.logLevel =
            ProcessInfo.processInfo.environment["TOCK_TEST_LOG"].flatMap { Logger.Level(rawValue: $0) }
            ?? .critical
        let driver = try RaftDriver(
            configuration: configuration(id), database: database,
            stateMachine: JobStateMachine(shard: 0), logger: logger, clock: clocks[id]!,
            simulatedTransport: network.transport(for: id))
        running[id] = Running(driver: driver, database: database, task: Task { try await driver.run() })
    }

    /// Stops the node's loop (what it was writing is written or rolled back, as SQLite does for a crash) and
    /// answers its waiting callers `stopped`.
    mutating func stop(_ id: NodeID) async {
        guard let node = running.removeValue(forKey: id) else { return }
        node.task.cancel()
        _ = await node.task.result
    }

    mutating func stopAll() async {
        for id in ids { await stop(id) }
    }

    /// One tick for every running node, at once, returning once each has dealt with it; a loop that stopped by
    /// itself or hangs fails the run.
    mutating func tickAll() async throws {
        let clocks = running.keys.map { ($0, self.clocks[$0]!, running[$0]!.driver.configuration.tick) }
        let stopped = await withTaskGroup(of: NodeID?.self) { group in
            for (id, clock, tick) in clocks {
                group.addTask { await clock.advance(by: tick) ? nil : id }
            }
            return await group.reduce(into: [NodeID]()) { if let id = $1 { $0.append(id) } }
        }
        if let id = stopped.first {
            throw fail("\(id)'s loop did not sleep again within a minute of a tick: it stopped by itself or hangs")
        }
    }

    var believedLeader: NodeID? {
        ids.first { running[$0]?.driver.status.role == "leader" }
    }

    // MARK: Clients

    /// Submits a new job to the node that believes it leads (or any node, which refuses), from a task of its own,
    /// as a client would.
    mutating func submit(_ jobID: String? = nil) {
        let up = ids.filter { running[$0] != nil }
        guard !up.isEmpty else { return }
        let target = believedLeader ?? up[pick(0...(up.count - 1))]
        nextJob += 1
        let id = jobID ?? "s\(seed)-j\(nextJob)"
        let driver = running[target]!.driver
        let clients = self.clients
        clients.state.withLock { state in
            state.outstanding += 1
            state.issued.insert(id)
        }
        Task {
            do {
                let result = try await driver.propose(Self.create(id))
                clients.state.withLock { state in
                    if case .created(let job) = result, job.id == id {
                        state.acknowledged.insert(id)
                    } else {
                        let answer = if case .created(let job) = result { "created \(job.id)" } else { "\(result)" }
                        state.wrong.append("\(id): \(answer)")
                    }
                }
            } catch RaftDriverError.notLeader {
                clients.state.withLock { $0.refused += 1 }
            } catch {
                clients.state.withLock { $0.unknown += 1 }
            }
            clients.state.withLock { state in
                state.outstanding -= 1
                state.answered.insert(id)
            }
        }
    }

    static func create(_ id: String) -> ShardCommand {
        .createJob(
            JobSpec(
                id: id, priority: .normal,
                target: HTTPTarget(url: "http://h/", method: "POST", headers: [], body: []),
                timeoutMs: 1000, maxAttempts: 1, idempotencyKey: "", dueAtNs: 0), createdAtNs: 1)
    }
}
