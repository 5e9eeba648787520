/** The API group and version every kind of this operator is served under. */
export const API_GROUP = 'roles.ecs.dev';
export const API_VERSION = 'v1alpha1';
export const API_GROUP_VERSION = `${API_GROUP}/${API_VERSION}`;
