-- ArgoCD health of an authip IpRangeSet (authip.io/v1alpha1), read from the status authip writes.
-- Progressing: no status yet, or a spec authip has not checked (observedGeneration behind generation).
-- Degraded: Valid is not True (InvalidSpec: the message names the field; InternalError: it could not be checked).
-- Healthy: Valid is True.
-- Install: deploy/argocd/argocd-cm-health.yaml; documented in docs/gitops.md.
local hs = {}

if type(obj.status) ~= "table" then
  hs.status = "Progressing"
  hs.message = "Waiting for authip to check the range set"
  return hs
end

local status = obj.status
local generation = obj.metadata.generation
if status.observedGeneration == nil or (generation ~= nil and status.observedGeneration ~= generation) then
  hs.status = "Progressing"
  hs.message = "Waiting for authip to check generation " .. tostring(generation) .. " (observed "
    .. tostring(status.observedGeneration) .. ")"
  return hs
end

local valid = nil
-- Status is written by authip but editable by anyone who may write the set: read it defensively.
if type(status.conditions) == "table" then
  for _, c in ipairs(status.conditions) do
    if type(c) == "table" and c.type == "Valid" and valid == nil then
      valid = c
    end
  end
end
if valid == nil then
  hs.status = "Progressing"
  hs.message = "Waiting for authip to report the range set's Valid condition"
  return hs
end
local message = valid.message
if type(message) ~= "string" or message == "" then
  message = "see kubectl describe"
end
if valid.status == "True" then
  hs.status = "Healthy"
  hs.message = message
  return hs
end
hs.status = "Degraded"
hs.message = tostring(valid.reason) .. ": " .. message
return hs
