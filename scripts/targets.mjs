// The packages Quipu ships: one .vsix per platform that onnxruntime-node 1.30 has a binary for, and a
// universal one (every other target VS Code runs on: darwin-x64, alpine-*, …) that embeds with
// onnxruntime-web's WebAssembly build instead. scripts/package.mjs builds them, check-vsix.mjs checks them.

const ORT_NODE = 'node_modules/onnxruntime-node';
const ORT_WEB = 'node_modules/onnxruntime-web';

/**
 * The files of each target's onnxruntime-node binary folder that ship: the binding and the runtime it
 * links. Left out on purpose: darwin's second copy of the dylib (`libonnxruntime.1.30.0.dylib`, the
 * binding links `@rpath/libonnxruntime.1.dylib`), and on Windows DirectML.dll, dxcompiler.dll and
 * dxil.dll (onnxruntime.dll delay-loads DirectML, d3d12 and dxgi: only the DirectML and WebGPU
 * execution providers load them; Quipu runs the CPU one).
 */
const binaries = {
  'linux-x64': ['onnxruntime_binding.node', 'libonnxruntime.so.1'],
  'linux-arm64': ['onnxruntime_binding.node', 'libonnxruntime.so.1'],
  'darwin-arm64': ['onnxruntime_binding.node', 'libonnxruntime.1.dylib'],
  'win32-x64': ['onnxruntime_binding.node', 'onnxruntime.dll'],
  'win32-arm64': ['onnxruntime_binding.node', 'onnxruntime.dll'],
};

export const PLATFORM_TARGETS = Object.keys(binaries);
export const UNIVERSAL = 'universal';
export const ALL_TARGETS = [...PLATFORM_TARGETS, UNIVERSAL];

/** The folder of a platform target's binary inside onnxruntime-node (`bin/napi-v6/<platform>/<arch>`). */
export function binaryDir(target) {
  const [platform, arch] = target.split('-');
  return `${ORT_NODE}/bin/napi-v6/${platform}/${arch}`;
}

/** Files (relative to the package root) that only this target ships: its ONNX Runtime. */
export function runtimeFiles(target) {
  if (target === UNIVERSAL) {
    // Node resolves `onnxruntime-web` to ort.node.min.js, which imports the SIMD+threads build by path.
    return [
      `${ORT_WEB}/package.json`,
      `${ORT_WEB}/dist/ort.node.min.js`,
      `${ORT_WEB}/dist/ort-wasm-simd-threaded.mjs`,
      `${ORT_WEB}/dist/ort-wasm-simd-threaded.wasm`,
    ];
  }
  if (!binaries[target]) throw new Error(`unknown target ${target}; one of ${ALL_TARGETS.join(', ')}`);
  return [
    `${ORT_NODE}/package.json`,
    `${ORT_NODE}/LICENSE`,
    `${ORT_NODE}/dist/*.js`,
    ...binaries[target].map((file) => `${binaryDir(target)}/${file}`),
  ];
}

/** The .vsix file name: vsce's `<name>-<target>-<version>.vsix`, `universal` for the untargeted one. */
export function vsixName(pkg, target) {
  return `${pkg.name}-${target}-${pkg.version}.vsix`;
}
