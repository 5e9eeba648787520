/** The Kubernetes API emulator: start it in-process with startKubeEmulator (see docs/kube-emulator.md). */
export { startKubeEmulator, type KubeEmulator, type KubeEmulatorOptions, type ObservedRequest } from './emulator.js';
