// @kubernetes/client-node clients for tests, built from a kubeconfig file.
import * as k8s from '@kubernetes/client-node';

export interface KubeClients {
  config: k8s.KubeConfig;
  core: k8s.CoreV1Api;
  apps: k8s.AppsV1Api;
  custom: k8s.CustomObjectsApi;
  extensions: k8s.ApiextensionsV1Api;
  objects: k8s.KubernetesObjectApi;
}

export function kubeClients(kubeconfigPath: string): KubeClients {
  const config = new k8s.KubeConfig();
  config.loadFromFile(kubeconfigPath);
  return {
    config,
    core: config.makeApiClient(k8s.CoreV1Api),
    apps: config.makeApiClient(k8s.AppsV1Api),
    custom: config.makeApiClient(k8s.CustomObjectsApi),
    extensions: config.makeApiClient(k8s.ApiextensionsV1Api),
    objects: k8s.KubernetesObjectApi.makeApiClient(config),
  };
}
