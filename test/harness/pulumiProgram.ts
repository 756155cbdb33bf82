/**
 * The mock engine moved into product code (sdk/render/mockEngine.ts) because the
 * offline render uses it; tests keep importing it from here.
 */
export { runProgram, ofType, resolveDeep } from "../../sdk/render/mockEngine";
export type { ProgramRun, RegisteredResource, RunOptions } from "../../sdk/render/mockEngine";
