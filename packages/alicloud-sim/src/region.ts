import { ApiError } from './api-error.js';
import type { ActionContext } from './action-context.js';
import { requiredString } from './params.js';

/** `RegionId` of an ECS call: required, and a region of the fleet (else 404 InvalidRegionId.NotFound). */
export function requireRegion(ctx: ActionContext): string {
  const regionId = requiredString(ctx.params, 'RegionId');
  if (!ctx.state.hasRegion(regionId)) {
    throw new ApiError(404, 'InvalidRegionId.NotFound', `The specified RegionId "${regionId}" does not exist (known: ${ctx.state.regionIds().join(', ')}).`);
  }
  return regionId;
}
