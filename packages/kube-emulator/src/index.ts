/** The Kubernetes API emulator: start it in-process with startKubeEmulator (see docs/kube-emulator.md). */
export { startKubeEmulator, type KubeEmulator, type KubeEmulatorOptions, type ObservedRequest } from './emulator.js';
// Also used by the real kube-apiserver launcher (packages/sandbox), so both targets hand out the
// same kind of kubeconfig and throw-away PKI.
export { createServingCertificate, type ServingCertificate } from './tls.js';
export { kubeconfigYaml } from './kubeconfig.js';
