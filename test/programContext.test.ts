/**
 * inProgramContext: a transform the engine calls back from outside the inline
 * program's async context must still see the program's SDK store (monitor,
 * engine log). The engine suite proves the effect (the pull Secret reaches the
 * engine); these cases pin the mechanism without one.
 */
import * as assert from "assert";
import { AsyncLocalStorage } from "async_hooks";
import "@pulumi/pulumi"; // loads runtime/state, which puts the SDK's store on globalThis
import { inProgramContext } from "../sdk/programContext";

const sdkStorage = (globalThis as unknown as { asyncLocalStorage: AsyncLocalStorage<unknown> }).asyncLocalStorage;

describe("programContext: transforms run in the program's SDK context", () => {
  it("the SDK we lock keeps its store where programContext looks (an AsyncLocalStorage on globalThis)", () => {
    assert.ok(sdkStorage instanceof AsyncLocalStorage, "@pulumi/pulumi no longer sets globalThis.asyncLocalStorage: revisit sdk/programContext.ts");
  });

  it("a function bound inside a program's store sees that store when called from outside it, as the engine's callback server does", async () => {
    const store = { program: "inline" };
    const bound = sdkStorage.run(store, () => inProgramContext(() => sdkStorage.getStore()));
    assert.strictEqual(sdkStorage.getStore(), undefined, "the test itself runs outside any store");
    assert.strictEqual(bound(), store);
    // And in what it awaits: the Secret's registration continues asynchronously.
    const later = sdkStorage.run(store, () => inProgramContext(async () => {
      await new Promise((r) => setImmediate(r));
      return sdkStorage.getStore();
    }));
    assert.strictEqual(await later(), store);
  });

  it("passes arguments and results through, rejections included", async () => {
    const store = {};
    const add = sdkStorage.run(store, () => inProgramContext((a: number, b: number) => a + b));
    assert.strictEqual(add(2, 3), 5);
    const fails = sdkStorage.run(store, () => inProgramContext(async () => { throw new Error("bad image"); }));
    await assert.rejects(fails(), /bad image/);
  });

  it("outside any store (the Node language host, the mock runtime) the function is returned as it is", () => {
    const fn = () => 1;
    assert.strictEqual(inProgramContext(fn), fn);
  });

  it("inside another store at call time, the program's store wins: the callback belongs to the program that made it", () => {
    const program = { id: "program" };
    const bound = sdkStorage.run(program, () => inProgramContext(() => sdkStorage.getStore()));
    assert.strictEqual(sdkStorage.run({ id: "other" }, () => bound()), program);
  });
});
