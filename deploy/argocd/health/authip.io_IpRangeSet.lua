-- ArgoCD health of an authip IpRangeSet (authip.io/v1alpha1), read from the status authip writes.
-- Progressing: no status yet, or a spec authip has not checked (observedGeneration behind generation).
-- Progressing: a source being read for the first time (Valid False, SourceUnavailable, "being read").
-- Degraded: Valid is not True (InvalidSpec: the message names the field; SourceUnavailable: a source never read;
--   InternalError: it could not be checked), or a source's refresh is held back for removing too much (ShrinkHeld,
--   which needs someone to approve it or look at the source).
-- Healthy: Valid is True (a stale source keeps its last good content: the message says so).
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
local held = nil
local stale = nil
-- Status is written by authip but editable by anyone who may write the set: read it defensively.
if type(status.conditions) == "table" then
  for _, c in ipairs(status.conditions) do
    if type(c) == "table" and c.type == "Valid" and valid == nil then
      valid = c
    elseif type(c) == "table" and c.type == "ShrinkHeld" and c.status == "True" and held == nil then
      held = c
    elseif type(c) == "table" and c.type == "SourceStale" and c.status == "True" and stale == nil then
      stale = c
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
if valid.status == "True" and held ~= nil then
  hs.status = "Degraded"
  hs.message = "ShrinkHeld: " .. (type(held.message) == "string" and held.message or "see kubectl describe")
  return hs
end
if valid.status == "True" then
  hs.status = "Healthy"
  hs.message = message
  if stale ~= nil and type(stale.message) == "string" then
    hs.message = message .. "; SourceStale: " .. stale.message
  end
  return hs
end
if valid.reason == "SourceUnavailable" and type(valid.message) == "string"
    and string.find(valid.message, "being read", 1, true) ~= nil then
  hs.status = "Progressing"
  hs.message = valid.message
  return hs
end
hs.status = "Degraded"
hs.message = tostring(valid.reason) .. ": " .. message
return hs
