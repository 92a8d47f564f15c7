-- ArgoCD health of an authip AuthorizedIpPolicy (authip.io/v1alpha1), read from the status authip writes.
-- Progressing: no status yet, a spec authip has not reconciled (observedGeneration behind generation), or a target
--   being changed (Pending, Updating, Propagating) or drift about to be corrected in Enforce mode.
-- Degraded: Ready is not True for a reason that needs someone (InvalidSpec, Blocked, AzureError, Contested,
--   NotGranted, TargetConflict, SelectorFailed, InternalError), with Ready's message; drift in Observe mode.
-- Healthy: Ready is True and every target is InSync.
-- Install: deploy/argocd/argocd-cm-health.yaml; documented in docs/gitops.md.
local hs = {}

-- Status is written by authip but editable by anyone who may write the policy: read it defensively.
local function condition(status, kind)
  if type(status.conditions) ~= "table" then
    return nil
  end
  for _, c in ipairs(status.conditions) do
    if type(c) == "table" and c.type == kind then
      return c
    end
  end
  return nil
end

local function text(value, fallback)
  if type(value) ~= "string" or value == "" then
    return fallback
  end
  return value
end

if type(obj.status) ~= "table" then
  hs.status = "Progressing"
  hs.message = "Waiting for authip to reconcile the policy"
  return hs
end

local status = obj.status
local generation = obj.metadata.generation
if status.observedGeneration == nil or (generation ~= nil and status.observedGeneration ~= generation) then
  hs.status = "Progressing"
  hs.message = "Waiting for authip to reconcile generation " .. tostring(generation) .. " (observed "
    .. tostring(status.observedGeneration) .. ")"
  return hs
end

local ready = condition(status, "Ready")
if ready == nil then
  hs.status = "Progressing"
  hs.message = "Waiting for authip to report the policy's Ready condition"
  return hs
end

local degraded = {
  InvalidSpec = true, Blocked = true, AzureError = true, Contested = true, NotGranted = true,
  TargetConflict = true, SelectorFailed = true, InternalError = true,
}
if ready.status ~= "True" and degraded[ready.reason] then
  hs.status = "Degraded"
  hs.message = ready.reason .. ": " .. text(ready.message, "see kubectl describe")
  return hs
end

local observe = type(obj.spec) == "table" and obj.spec.mode == "Observe"
local targets = {}
if type(status.targets) == "table" then
  for _, t in ipairs(status.targets) do
    if type(t) == "table" then
      table.insert(targets, t)
    end
  end
end
local drifted = {}
local changing = {}
local inSync = 0
for _, t in ipairs(targets) do
  local name = "(unnamed target)"
  if type(t.clusterId) == "string" then
    name = string.match(t.clusterId, "([^/]+)$") or t.clusterId
  end
  if t.state == "Drifted" or t.driftDetectedAt ~= nil then
    table.insert(drifted, name)
  end
  if t.state == "Pending" or t.state == "Updating" or t.state == "Propagating" then
    table.insert(changing, name .. " " .. t.state)
  elseif t.state == "InSync" then
    inSync = inSync + 1
  end
end

if observe and (#drifted > 0 or ready.reason == "Drifted") then
  hs.status = "Degraded"
  hs.message = "drift in Observe mode: " .. text(ready.message, table.concat(drifted, ", "))
  return hs
end

if #changing > 0 then
  hs.status = "Progressing"
  hs.message = #changing .. " of " .. #targets .. " targets being changed: " .. table.concat(changing, ", ")
  return hs
end

if ready.status == "True" and #targets > 0 and inSync == #targets then
  hs.status = "Healthy"
  hs.message = text(ready.message, inSync .. "/" .. #targets .. " targets have the desired ranges")
  return hs
end

hs.status = "Progressing"
hs.message = text(ready.reason, "Unknown") .. ": " .. text(ready.message, "waiting for authip")
return hs
