/** Compiles a .wat file (SIMD enabled) and returns the WebAssembly binary, base64. */
export function compileKernel(watPath: string): Promise<string>;
