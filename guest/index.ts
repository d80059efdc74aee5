// `import { Socket } from "sockbox/guest"`: asc resolves it to this file
// (node_modules/sockbox/guest/index.ts). The library is in ./assembly.
export * from "./assembly";
