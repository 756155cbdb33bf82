/**
 * Runs an engine callback (a resource transform) in the async context of the
 * program that made it.
 *
 * The Node SDK keeps its connection to the engine (monitor, engine log, pending
 * registrations) in an AsyncLocalStorage store. An Automation API inline
 * program runs inside such a store, but the engine calls transforms back
 * through a gRPC server whose handlers start outside it. There the SDK finds no
 * monitor and falls into its test mode: a resource made inside the transform
 * (the pull Secret) gets a made-up URN and is never sent to the engine, and
 * `pulumi.log` lines go to the console instead of the engine's diagnostics.
 * Nothing errors. The .NET SDK fixed the same gap (pulumi/pulumi-dotnet#561);
 * the Node SDK we lock has not. Under the Node language host (`pulumi up` of a
 * project) there is no store and this is a no-op.
 */
import { AsyncLocalStorage } from "async_hooks";

/** Where every copy of `@pulumi/pulumi/runtime/state` keeps its store (one per process, on purpose). */
function sdkStorage(): AsyncLocalStorage<unknown> | undefined {
  const s = (globalThis as { asyncLocalStorage?: unknown }).asyncLocalStorage;
  return s instanceof AsyncLocalStorage ? s : undefined;
}

/** `fn`, bound to the SDK store current now; `fn` itself when there is none. */
export function inProgramContext<A extends unknown[], R>(fn: (...args: A) => R): (...args: A) => R {
  const storage = sdkStorage();
  const store = storage?.getStore();
  if (storage === undefined || store === undefined) return fn;
  return (...args: A) => (storage.getStore() === store ? fn(...args) : storage.run(store, () => fn(...args)));
}
