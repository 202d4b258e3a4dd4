/** The gateway's port is taken: `gpu-mesh start` exits 2 (a module of its own, so that importing it loads nothing else). */
export class GatewayPortInUseError extends Error {}
