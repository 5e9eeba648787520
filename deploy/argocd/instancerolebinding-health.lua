-- Argo CD health check for roles.ecs.dev/InstanceRoleBinding (kstatus conditions).
-- Healthy:     Ready=True and status.observedGeneration == metadata.generation
-- Degraded:    Stalled=True (a spec or cloud change is needed; see the condition's reason)
-- Suspended:   spec.suspend is true (the operator leaves the binding alone)
-- Progressing: anything else (not reconciled yet, work in flight, retrying)
local hs = {}
hs.status = "Progressing"
hs.message = "Waiting for the operator to reconcile this binding"

local function condition(conditions, wanted)
  if conditions == nil then
    return nil
  end
  for _, c in ipairs(conditions) do
    if c.type == wanted then
      return c
    end
  end
  return nil
end

local function describe(c)
  local text = c.reason or ""
  if c.message ~= nil and c.message ~= "" then
    text = text .. ": " .. c.message
  end
  return text
end

if obj.spec ~= nil and obj.spec.suspend == true then
  hs.status = "Suspended"
  hs.message = "spec.suspend is true: the operator does not reconcile this binding"
  return hs
end

if obj.status == nil then
  return hs
end

local generation = obj.metadata.generation
local observed = obj.status.observedGeneration
local ready = condition(obj.status.conditions, "Ready")
local stalled = condition(obj.status.conditions, "Stalled")

if stalled ~= nil and stalled.status == "True" then
  hs.status = "Degraded"
  hs.message = describe(stalled)
  return hs
end

if observed == nil or generation == nil or observed ~= generation then
  hs.message = "Waiting for the operator to observe generation " .. tostring(generation)
  return hs
end

if ready ~= nil and ready.status == "True" then
  hs.status = "Healthy"
  hs.message = describe(ready)
  return hs
end

if ready ~= nil then
  hs.message = describe(ready)
end
return hs
