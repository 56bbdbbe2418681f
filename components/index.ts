/**
 * Library entry of cloudbreak-role. Importing it registers no resource.
 */
export * from "./checks";
export * from "./credentialRole";
export * from "./handoff";
export * from "./policies";
export * from "./validation";
