/** How the operator names itself on the wire: the field manager of its writes, the source of its Events. */
export const FIELD_MANAGER = 'ecs-role-operator';
export const EVENT_SOURCE = 'ecs-role-operator';
