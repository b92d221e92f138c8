export { type AppOptions, createApp, type SecureApi } from "./app.js";
export { createProtection, type Protection, type ProtectionOptions } from "./protection.js";
