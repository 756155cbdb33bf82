export * from "./inject";
