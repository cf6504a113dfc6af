/**
 * Test doubles, behind one entry point that production code never imports (test/unit/layout.test.ts
 * checks): the in-memory ELB and Lattice simulators and the ports over them (MemoryElb,
 * MemoryLattice), the fault-injecting SDK request handler, and the request recorder (exact
 * requests, canned answers for APIs moto lacks). Tests import them from here.
 */
export { type CreatedRules, SimulatedElbError, type SimulatorOptions, simulate } from "./elb-simulator.ts";
export {
  type DelayRule,
  FAULTS,
  FaultInjectingHandler,
  type FaultRule,
  type HeldResponse,
  type InjectedFault,
  requestOperation,
  type SyntheticError,
} from "./fault-handler.ts";
export { convergeLattice, SimulatedLatticeError, simulateLattice } from "./lattice-simulator.ts";
export { MemoryElb } from "./memory-elb.ts";
export { MemoryLattice } from "./memory-lattice.ts";
export { queryResponse, type RecordedRequest, RequestRecorder } from "./request-recorder.ts";
