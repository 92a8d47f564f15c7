package io.authip.gitops;

import com.fasterxml.jackson.databind.JsonNode;

/**
 * kstatus's computation for a custom resource of a kind it has no rules for (sigs.k8s.io/cli-utils,
 * pkg/kstatus/status: {@code Compute}, {@code checkGenericProperties}, {@code checkGeneration},
 * {@code checkReadyCondition}); Flux's health checks and {@code kubectl wait}-style tooling use it for authip's kinds.
 * In order: a deletion timestamp is Terminating; an {@code observedGeneration} other than {@code generation} is
 * InProgress; a {@code Reconciling} condition True is InProgress, a {@code Stalled} one True is Failed (the first in the
 * list wins); then {@code Ready}: True is Current, False or Unknown InProgress; otherwise Current.
 */
final class Kstatus {

  enum Status { InProgress, Failed, Current, Terminating }

  record Result(Status status, String message) {
  }

  private Kstatus() {
  }

  static Result compute(JsonNode object) {
    if (!object.path("metadata").path("deletionTimestamp").asText("").isEmpty()) {
      return new Result(Status.Terminating, "Resource scheduled for deletion");
    }
    JsonNode generation = object.path("metadata").path("generation");
    JsonNode observed = object.path("status").path("observedGeneration");
    if (generation.isIntegralNumber() && observed.isIntegralNumber() && generation.longValue() != observed.longValue()) {
      return new Result(Status.InProgress, object.path("kind").asText() + " generation is " + generation.longValue()
          + ", but latest observed generation is " + observed.longValue());
    }
    JsonNode conditions = object.path("status").path("conditions");
    for (JsonNode c : conditions) {
      String type = c.path("type").asText();
      boolean isTrue = "True".equals(c.path("status").asText());
      if (type.equals("Reconciling") && isTrue) {
        return new Result(Status.InProgress, c.path("message").asText());
      }
      if (type.equals("Stalled") && isTrue) {
        return new Result(Status.Failed, c.path("message").asText());
      }
    }
    for (JsonNode c : conditions) {
      if (!c.path("type").asText().equals("Ready")) {
        continue;
      }
      switch (c.path("status").asText()) {
        case "True":
          return new Result(Status.Current, "Resource is Ready");
        case "False":
        case "Unknown":
          return new Result(Status.InProgress, c.path("message").asText());
        default:
          break;
      }
    }
    return new Result(Status.Current, "Resource is current");
  }
}
