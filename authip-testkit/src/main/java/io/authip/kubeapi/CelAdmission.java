package io.authip.kubeapi;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.cel.bundle.Cel;
import dev.cel.common.CelValidationException;
import dev.cel.common.CelVarDecl;
import dev.cel.common.types.SimpleType;
import dev.cel.runtime.CelEvaluationException;
import dev.cel.runtime.CelRuntime;
import io.fabric8.mockwebserver.http.MockResponse;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.regex.Pattern;

/**
 * Validates a custom resource by its CRD's {@code x-kubernetes-validations} rules as kube-apiserver 1.31 does on
 * create and update: every rule at every schema node the object has, {@code self} being the value there; a
 * failed rule gives a {@code FieldValueInvalid} cause (or Forbidden/Required/Duplicate by its {@code reason}) on
 * the node's path plus its {@code fieldPath}, with its {@code message}, its {@code messageExpression}'s result,
 * or {@code failed rule: RULE}. A value of the wrong type is reported as the API server's schema check reports
 * it, and then, as there, no rule is evaluated. On update a rule is not re-checked where the value is unchanged
 * (validation ratcheting, on by default since 1.30); list items are not correlated (atomic lists). Rules with
 * {@code oldSelf} run on updates only.
 */
final class CelAdmission {

  /** One refusal: a Kubernetes {@code field.Error}. */
  record Cause(String type, String field, String body) {
    String error() {
      return field + ": " + body;
    }
  }

  private static final Pattern OLD_SELF = Pattern.compile("\\boldSelf\\b");
  private static final Cel CEL = KubernetesCel.build(List.of(CelVarDecl.newVarDeclaration("self", SimpleType.DYN),
      CelVarDecl.newVarDeclaration("oldSelf", SimpleType.DYN)));
  private static final Map<String, CelRuntime.Program> PROGRAMS = new ConcurrentHashMap<>();

  private CelAdmission() {
  }

  /**
   * The causes for which the API server would refuse {@code object}, empty when it would accept it.
   *
   * @param schema the version's openAPIV3Schema
   * @param old the stored object on an update, null on create
   */
  static List<Cause> validate(JsonNode schema, JsonNode object, JsonNode old) {
    List<Cause> typeErrors = new ArrayList<>();
    checkTypes(schema, object, "", typeErrors);
    if (!typeErrors.isEmpty()) {
      // kube-apiserver: a type error blocks CEL ("some validation rules were not checked ...")
      typeErrors.add(new Cause("FieldValueInvalid", "<nil>", "Invalid value: \"null\": some validation rules were "
          + "not checked because the object was invalid; correct the existing errors to complete validation"));
      return typeErrors;
    }
    List<Cause> causes = new ArrayList<>();
    walk(schema, object, old, "", causes);
    return causes;
  }

  /** A 422 {@code Status} as kube-apiserver answers an invalid object ({@code errors.NewInvalid}). */
  static MockResponse invalid(ResourcePath rp, String kind, String name, List<Cause> causes) {
    String qualified = kind + (rp.group().isEmpty() ? "" : "." + rp.group());
    String aggregate = causes.size() == 1 ? causes.get(0).error()
        : "[" + String.join(", ", causes.stream().map(Cause::error).toList()) + "]";
    ObjectNode status = JsonNodeFactory.instance.objectNode();
    status.put("kind", "Status").put("apiVersion", "v1");
    status.putObject("metadata");
    status.put("status", "Failure").put("message", qualified + " \"" + name + "\" is invalid: " + aggregate)
        .put("reason", "Invalid");
    ObjectNode details = status.putObject("details");
    details.put("name", name).put("group", rp.group()).put("kind", kind);
    ArrayNode list = details.putArray("causes");
    for (Cause c : causes) {
      list.addObject().put("reason", c.type()).put("message", c.body()).put("field", c.field());
    }
    status.put("code", 422);
    return ApiStatus.response(422, status);
  }

  private static void walk(JsonNode schema, JsonNode value, JsonNode old, String path, List<Cause> causes) {
    if (schema == null || value == null || value.isNull() || value.isMissingNode()) {
      return;
    }
    boolean unchanged = old != null && !old.isMissingNode() && old.equals(value);
    if (unchanged) {
      return; // ratcheting: nothing below changed either
    }
    for (JsonNode rule : schema.path("x-kubernetes-validations")) {
      String expression = rule.path("rule").asText();
      boolean transition = OLD_SELF.matcher(expression).find();
      if (transition && (old == null || old.isMissingNode())) {
        continue;
      }
      evaluate(rule, expression, schema.path("type").asText("object"), value, transition ? old : null, path,
          causes);
    }
    if (value.isObject()) {
      JsonNode properties = schema.path("properties");
      JsonNode additional = schema.path("additionalProperties");
      value.fields().forEachRemaining(e -> {
        JsonNode sub = properties.has(e.getKey()) ? properties.get(e.getKey())
            : additional.isObject() ? additional : null;
        walk(sub, e.getValue(), old == null ? null : old.path(e.getKey()), child(path, e.getKey()), causes);
      });
    } else if (value.isArray()) {
      for (int i = 0; i < value.size(); i++) {
        walk(schema.path("items"), value.get(i), null, path + "[" + i + "]", causes);
      }
    }
  }

  private static void evaluate(JsonNode rule, String expression, String type, JsonNode value, JsonNode old,
      String path, List<Cause> causes) {
    String field = path + rule.path("fieldPath").asText("");
    Map<String, Object> vars = new LinkedHashMap<>();
    vars.put("self", toCel(value));
    if (old != null) {
      vars.put("oldSelf", toCel(old));
    }
    Object result;
    try {
      result = program(expression).eval(vars);
    } catch (CelEvaluationException e) {
      causes.add(new Cause("FieldValueInvalid", path, "Invalid value: \"" + type + "\": evaluation error: "
          + e.getMessage()));
      return;
    }
    if (Boolean.TRUE.equals(result)) {
      return;
    }
    String message = rule.path("message").asText("");
    String messageExpression = rule.path("messageExpression").asText("");
    if (!messageExpression.isEmpty()) {
      try {
        Object m = program(messageExpression).eval(vars);
        if (m instanceof String s && !s.isBlank()) {
          message = s;
        }
      } catch (CelEvaluationException e) {
        // kube-apiserver falls back to message, then to "failed rule"
      }
    }
    if (message.isEmpty()) {
      message = "failed rule: " + expression.strip();
    }
    String reason = rule.path("reason").asText("FieldValueInvalid");
    switch (reason) {
      case "FieldValueForbidden" -> causes.add(new Cause(reason, field, "Forbidden: " + message));
      case "FieldValueRequired" -> causes.add(new Cause(reason, field, "Required value: " + message));
      case "FieldValueDuplicate" -> causes.add(new Cause(reason, field, "Duplicate value: \"" + type + "\""));
      default -> causes.add(new Cause("FieldValueInvalid", field, "Invalid value: \"" + type + "\": " + message));
    }
  }

  private static CelRuntime.Program program(String expression) {
    return PROGRAMS.computeIfAbsent(expression, e -> {
      try {
        return CEL.createProgram(CEL.compile(e).getAst());
      } catch (CelValidationException | CelEvaluationException invalid) {
        // a real API server refuses such a CRD; the CRDs here are the project's own
        throw new IllegalStateException("CRD rule does not compile: " + e + ": " + invalid.getMessage(), invalid);
      }
    });
  }

  /** JSON as CEL sees it: objects as maps, arrays as lists, integers as int, other numbers as double. */
  static Object toCel(JsonNode node) {
    if (node.isTextual()) {
      return node.asText();
    } else if (node.isBoolean()) {
      return node.booleanValue();
    } else if (node.isIntegralNumber()) {
      return node.longValue();
    } else if (node.isNumber()) {
      return node.doubleValue();
    } else if (node.isArray()) {
      List<Object> list = new ArrayList<>();
      node.forEach(n -> list.add(toCel(n)));
      return list;
    } else if (node.isObject()) {
      Map<String, Object> map = new LinkedHashMap<>();
      node.fields().forEachRemaining(e -> {
        if (!e.getValue().isNull()) {
          map.put(e.getKey(), toCel(e.getValue()));
        }
      });
      return map;
    }
    return dev.cel.common.values.NullValue.NULL_VALUE;
  }

  /** The schema's {@code type} check, with kube-openapi's message, for the values the rules would see. */
  private static void checkTypes(JsonNode schema, JsonNode value, String path, List<Cause> errors) {
    if (schema == null || schema.isMissingNode() || value == null || value.isNull()) {
      return;
    }
    String expected = schema.path("type").asText("");
    String actual = jsonType(value);
    boolean ok = expected.isEmpty() || expected.equals(actual) || expected.equals("number") && actual.equals("integer");
    if (!ok) {
      String where = path.isEmpty() ? "body" : path;
      errors.add(new Cause("FieldValueTypeInvalid", where, "Invalid value: \"" + actual + "\": " + where
          + " in body must be of type " + expected + ": \"" + actual + "\""));
      return;
    }
    if (value.isObject()) {
      JsonNode properties = schema.path("properties");
      value.fields().forEachRemaining(e -> checkTypes(properties.has(e.getKey()) ? properties.get(e.getKey())
          : Optional.of(schema.path("additionalProperties")).filter(JsonNode::isObject).orElse(null),
          e.getValue(), child(path, e.getKey()), errors));
    } else if (value.isArray()) {
      for (int i = 0; i < value.size(); i++) {
        checkTypes(schema.path("items"), value.get(i), path + "[" + i + "]", errors);
      }
    }
  }

  private static String jsonType(JsonNode value) {
    if (value.isTextual()) {
      return "string";
    } else if (value.isBoolean()) {
      return "boolean";
    } else if (value.isIntegralNumber()) {
      return "integer";
    } else if (value.isNumber()) {
      return "number";
    } else if (value.isArray()) {
      return "array";
    }
    return "object";
  }

  private static String child(String path, String name) {
    return path.isEmpty() ? name : path + "." + name;
  }
}
