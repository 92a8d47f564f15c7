package io.authip.resources;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.JsonStreamContext;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.databind.BeanDescription;
import com.fasterxml.jackson.databind.DeserializationConfig;
import com.fasterxml.jackson.databind.DeserializationContext;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JavaType;
import com.fasterxml.jackson.databind.JsonDeserializer;
import com.fasterxml.jackson.databind.JsonMappingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.deser.BeanDeserializerModifier;
import com.fasterxml.jackson.databind.deser.DeserializationProblemHandler;
import com.fasterxml.jackson.databind.deser.std.DelegatingDeserializer;
import com.fasterxml.jackson.databind.deser.std.NumberDeserializers;
import com.fasterxml.jackson.databind.deser.std.StdScalarDeserializer;
import com.fasterxml.jackson.databind.deser.std.StringDeserializer;
import com.fasterxml.jackson.databind.module.SimpleModule;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.authip.api.v1alpha1.AuthorizedIpPolicy;
import io.authip.api.v1alpha1.IpRangeSet;
import io.authip.api.v1alpha1.TargetGrant;
import io.authip.ranges.RangeParser;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.ObjectMeta;
import io.fabric8.kubernetes.client.utils.KubernetesSerialization;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;

/**
 * The one way authip resources are read, by the operator's client and by {@code authip validate} alike: never failing
 * on a wrong type or an invalid enum value. The field becomes null and the problem is recorded on the resource
 * ({@code readProblems}, "path: message"), so that the reconciler reports it in status instead of the informer
 * stopping on one malformed object, and every problem of a resource is found in one pass. As strict as the API
 * server's schema: no coercion between scalar types (Jackson's defaults would read {@code access: 2} as the third
 * enum constant, Unrestricted, {@code natGateway: "false"} as false and {@code resourceGroup: 2024} as a string).
 */
public final class ResourceSerialization {

  private static final String PROBLEMS = "authip.readProblems";
  /** The parser of the buffered resource, for handlers that are given only the context. */
  private static final String PARSER = "authip.parser";

  private ResourceSerialization() {
  }

  public static KubernetesSerialization create() {
    ObjectMapper mapper = new ObjectMapper();
    // Jackson would read "access: 2" as the third constant, Unrestricted: an empty list, the API server open to all.
    mapper.enable(DeserializationFeature.FAIL_ON_NUMBERS_FOR_ENUMS);
    mapper.addHandler(new Recorder());
    SimpleModule module = new SimpleModule("authip-resources");
    module.setDeserializerModifier(new BeanDeserializerModifier() {
      @Override
      public JsonDeserializer<?> modifyDeserializer(DeserializationConfig config, BeanDescription desc,
          JsonDeserializer<?> deserializer) {
        Class<?> type = desc.getBeanClass();
        if (type == AuthorizedIpPolicy.class || type == IpRangeSet.class || type == TargetGrant.class) {
          return new Collecting(deserializer);
        }
        return deserializer;
      }
    });
    module.addDeserializer(String.class, new StrictString());
    module.addDeserializer(Boolean.class, new StrictBoolean(null));
    module.addDeserializer(boolean.class, new StrictBoolean(false));
    mapper.registerModule(module);
    return new KubernetesSerialization(mapper, true);
  }

  /**
   * A copy through JSON that keeps the recorded problems (JOSDK clones resources; the operator adapts this to its
   * {@code Cloner}).
   */
  public static <R extends HasMetadata> R copy(KubernetesSerialization serialization, R object) {
    R copy = serialization.clone(object);
    if (object instanceof AuthorizedIpPolicy p && copy instanceof AuthorizedIpPolicy c) {
      c.setReadProblems(p.getReadProblems());
    } else if (object instanceof IpRangeSet s && copy instanceof IpRangeSet c) {
      c.setReadProblems(s.getReadProblems());
    } else if (object instanceof TargetGrant g && copy instanceof TargetGrant c) {
      c.setReadProblems(g.getReadProblems());
    }
    return copy;
  }

  /** Whether an authip resource is being read (the strict scalars apply only there). */
  private static boolean reading(DeserializationContext ctxt) {
    return ctxt.getAttribute(PARSER) instanceof JsonParser;
  }

  /** A string only from a YAML/JSON string: the API server refuses a number or a boolean where a string belongs. */
  private static final class StrictString extends StdScalarDeserializer<String> {
    StrictString() {
      super(String.class);
    }

    @Override
    public String deserialize(JsonParser p, DeserializationContext ctxt) throws IOException {
      if (p.currentToken() == JsonToken.VALUE_STRING) {
        return p.getText();
      }
      if (!reading(ctxt)) {
        return StringDeserializer.instance.deserialize(p, ctxt);
      }
      wrongType(p, ctxt, "a string");
      return null;
    }
  }

  /** true or false only: {@code "false"} or {@code no} read as false would quietly turn an egress source off. */
  private static final class StrictBoolean extends StdScalarDeserializer<Boolean> {
    private final Boolean nullValue;
    private final JsonDeserializer<?> lenient;

    StrictBoolean(Boolean nullValue) {
      super(Boolean.class);
      this.nullValue = nullValue;
      this.lenient = NumberDeserializers.find(nullValue == null ? Boolean.class : boolean.class, null);
    }

    @Override
    public Boolean deserialize(JsonParser p, DeserializationContext ctxt) throws IOException {
      JsonToken t = p.currentToken();
      if (t == JsonToken.VALUE_TRUE || t == JsonToken.VALUE_FALSE) {
        return t == JsonToken.VALUE_TRUE;
      }
      if (!reading(ctxt)) {
        return (Boolean) lenient.deserialize(p, ctxt);
      }
      wrongType(p, ctxt, "true or false");
      return nullValue;
    }

    @Override
    public Boolean getNullValue(DeserializationContext ctxt) {
      return nullValue;
    }
  }

  /** Records "path: has the wrong type (...); expected ..." and steps over the value. */
  private static void wrongType(JsonParser p, DeserializationContext ctxt, String expected) throws IOException {
    JsonToken t = p.currentToken();
    String what = Recorder.describe(t);
    if (t != null && t.isScalarValue() && t != JsonToken.VALUE_NULL) {
      what = what.replaceFirst("^an? ", "the ") + " " + (t == JsonToken.VALUE_STRING ? RangeParser.quote(p.getText())
          : RangeParser.abbreviate(p.getText()));
    }
    JsonStreamContext context = p.getParsingContext();
    if (t == JsonToken.START_ARRAY || t == JsonToken.START_OBJECT) {
      context = context.getParent();
    }
    problems(ctxt).add(path(context) + ": has the wrong type (" + what + "); expected " + expected);
    p.skipChildren();
  }

  private static JsonParser parser(DeserializationContext ctxt) {
    Object p = ctxt.getAttribute(PARSER);
    return p instanceof JsonParser parser ? parser : ctxt.getParser();
  }

  @SuppressWarnings("unchecked")
  private static List<String> problems(DeserializationContext ctxt) {
    Object existing = ctxt.getAttribute(PROBLEMS);
    if (existing instanceof List<?> list) {
      return (List<String>) list;
    }
    List<String> list = new ArrayList<>();
    ctxt.setAttribute(PROBLEMS, list);
    return list;
  }

  static String path(JsonStreamContext context) {
    List<String> parts = new ArrayList<>();
    for (JsonStreamContext c = context; c != null && !c.inRoot(); c = c.getParent()) {
      if (c.inArray()) {
        if (c.getCurrentIndex() >= 0) {
          parts.add(0, "[" + c.getCurrentIndex() + "]");
        }
      } else if (c.getCurrentName() != null) {
        parts.add(0, "." + c.getCurrentName());
      }
    }
    String joined = String.join("", parts);
    return joined.startsWith(".") ? joined.substring(1) : joined;
  }

  /**
   * Wraps the root deserializer so the problems collected underneath end up on the resource. The resource is first
   * read whole into a tree, so that whatever goes wrong below (an exception the handlers cannot prevent, e.g. a
   * number out of range or a Jackson NullPointerException on an object where a boolean belongs) the stream is
   * consumed to the resource's end and its identity is known: the result is then a resource with its metadata and a
   * read problem, never an exception that would stop the informer.
   */
  private static final class Collecting extends DelegatingDeserializer {
    Collecting(JsonDeserializer<?> delegate) {
      super(delegate);
    }

    @Override
    protected JsonDeserializer<?> newDelegatingInstance(JsonDeserializer<?> newDelegatee) {
      return new Collecting(newDelegatee);
    }

    @Override
    public Object deserialize(JsonParser p, DeserializationContext ctxt) throws IOException {
      JsonNode tree = ctxt.readTree(p);
      List<String> problems = problems(ctxt);
      problems.clear();
      Object value;
      try {
        value = read(tree, p, ctxt);
      } catch (IOException | RuntimeException e) {
        String failure = failure("", e, problems);
        if (tree.has("status")) {
          // A status someone else wrote must not hide a readable spec: read again without it.
          ObjectNode withoutStatus = ((ObjectNode) tree).deepCopy();
          withoutStatus.remove("status");
          problems.clear();
          try {
            value = read(withoutStatus, p, ctxt);
            problems.add(failure.startsWith("status") ? failure : "status: cannot be read; it is ignored");
          } catch (IOException | RuntimeException again) {
            String second = failure("", again, problems);
            problems.clear();
            value = unreadable(tree);
            problems.add(second);
          }
        } else {
          value = unreadable(tree);
          problems.clear();
          problems.add(failure);
        }
      }
      if (!problems.isEmpty()) {
        if (value instanceof AuthorizedIpPolicy policy) {
          policy.setReadProblems(problems);
        } else if (value instanceof IpRangeSet set) {
          set.setReadProblems(problems);
        } else if (value instanceof TargetGrant grant) {
          grant.setReadProblems(problems);
        }
      }
      problems.clear();
      return value;
    }

    private Object read(JsonNode tree, JsonParser original, DeserializationContext ctxt) throws IOException {
      try (JsonParser buffered = tree.traverse(original.getCodec())) {
        buffered.nextToken();
        ctxt.setAttribute(PARSER, buffered);
        return super.deserialize(buffered, ctxt);
      } finally {
        ctxt.setAttribute(PARSER, null);
      }
    }

    /** The resource with only its identity, so that it can still be reported on. */
    private Object unreadable(JsonNode tree) {
      HasMetadata resource = handledType() == IpRangeSet.class ? new IpRangeSet()
          : handledType() == TargetGrant.class ? new TargetGrant() : new AuthorizedIpPolicy();
      JsonNode m = tree.path("metadata");
      ObjectMeta meta = resource.getMetadata();
      meta.setName(text(m, "name"));
      meta.setNamespace(text(m, "namespace"));
      meta.setUid(text(m, "uid"));
      meta.setResourceVersion(text(m, "resourceVersion"));
      meta.setCreationTimestamp(text(m, "creationTimestamp"));
      meta.setDeletionTimestamp(text(m, "deletionTimestamp"));
      if (m.path("generation").canConvertToLong()) {
        meta.setGeneration(m.path("generation").asLong());
      }
      List<String> finalizers = new ArrayList<>();
      m.path("finalizers").forEach(f -> {
        if (f.isTextual()) {
          finalizers.add(f.asText());
        }
      });
      meta.setFinalizers(finalizers);
      return resource;
    }

    private static String text(JsonNode node, String field) {
      JsonNode v = node.path(field);
      return v.isValueNode() && !v.isNull() ? v.asText() : null;
    }

    /** The failure as a read problem at the field where it happened, unless a problem is already recorded there. */
    private static String failure(String fallbackPath, Exception e, List<String> recorded) {
      String at = fallbackPath;
      if (e instanceof JsonMappingException m && !m.getPath().isEmpty()) {
        StringBuilder sb = new StringBuilder();
        for (JsonMappingException.Reference ref : m.getPath()) {
          if (ref.getFieldName() != null) {
            sb.append(sb.length() == 0 ? "" : ".").append(ref.getFieldName());
          } else if (ref.getIndex() >= 0) {
            sb.append('[').append(ref.getIndex()).append(']');
          }
        }
        at = sb.toString();
      }
      String field = at.isEmpty() ? "(resource)" : at;
      for (String r : recorded) {
        if (r.startsWith(field + ": ")) {
          return r;
        }
      }
      Throwable root = e;
      while (root.getCause() != null && root.getCause() != root) {
        root = root.getCause();
      }
      if (root instanceof NullPointerException || root instanceof ClassCastException) {
        // Jackson reading an object or a list where a scalar belongs: its own message is about its internals.
        return field + ": has the wrong type; expected " + (at.isEmpty() ? "an authip resource" : "a simple value");
      }
      String message = e instanceof JsonProcessingException j ? j.getOriginalMessage() : e.getMessage();
      message = message == null ? e.getClass().getSimpleName() : message.lines().findFirst().orElse("");
      return field + ": cannot be read (" + RangeParser.abbreviate(message) + ")";
    }
  }

  private static final class Recorder extends DeserializationProblemHandler {

    /**
     * An unknown field under {@code spec} (a typo such as {@code rnages}, or a field of a newer CRD version read by an
     * older operator) is a problem: ignoring it could drop ranges the user meant. Elsewhere it is ignored. Either
     * way it never fails the read: Jackson's exception stopped the informer, and with it the whole operator.
     */
    @Override
    public boolean handleUnknownProperty(DeserializationContext ctxt, JsonParser p, JsonDeserializer<?> deserializer,
        Object beanOrClass, String propertyName) throws IOException {
      JsonStreamContext context = p.getParsingContext();
      if (p.currentToken() == JsonToken.START_ARRAY || p.currentToken() == JsonToken.START_OBJECT) {
        // Jackson has already stepped into the value: the field belongs to the enclosing object.
        context = context.getParent();
      }
      String at = path(context);
      if (at.equals("spec") || at.startsWith("spec.") || at.startsWith("spec[")) {
        problems(ctxt).add(at + ": unknown field " + RangeParser.quote(propertyName)
            + suggestion(propertyName, deserializer.getKnownPropertyNames()));
      }
      p.skipChildren();
      return true;
    }
    @Override
    public Object handleUnexpectedToken(DeserializationContext ctxt, JavaType targetType, JsonToken t, JsonParser p,
        String failureMsg) throws IOException {
      JsonStreamContext context = p.getParsingContext();
      if (t == JsonToken.START_ARRAY && context.inArray() && p.currentToken() != JsonToken.START_ARRAY) {
        // Jackson already stepped into the array (trying to unwrap a single value): skip to its end.
        JsonStreamContext parent = context.getParent();
        p.skipChildren();
        while (p.getParsingContext() != parent) {
          JsonToken next = p.nextToken();
          if (next == null) {
            break;
          }
          p.skipChildren();
        }
        context = parent;
      } else {
        p.skipChildren();
        if ((t == JsonToken.START_ARRAY || t == JsonToken.START_OBJECT) && context.getParent() != null
            && (context.inArray() || context.inObject()) && p.currentToken() != null && p.currentToken().isStructEnd()) {
          context = p.getParsingContext();
        }
      }
      problems(ctxt).add(path(context) + ": has the wrong type (" + describe(t) + "); expected "
          + expected(targetType.getRawClass()));
      return null;
    }

    @Override
    public Object handleWeirdStringValue(DeserializationContext ctxt, Class<?> targetType, String value,
        String failureMsg) {
      problems(ctxt).add(path(parser(ctxt).getParsingContext()) + ": " + RangeParser.quote(value) + " is not "
          + (targetType.isEnum() ? "a valid value; allowed: " + constants(targetType) : expected(targetType)));
      return null;
    }

    @Override
    public Object handleWeirdNumberValue(DeserializationContext ctxt, Class<?> targetType, Number value,
        String failureMsg) {
      problems(ctxt).add(path(parser(ctxt).getParsingContext()) + ": " + RangeParser.quote(String.valueOf(value))
          + " is not "
          + (targetType.isEnum() ? "a valid value; allowed: " + constants(targetType) : expected(targetType)));
      return null;
    }

    @Override
    public Object handleInstantiationProblem(DeserializationContext ctxt, Class<?> instClass, Object argument,
        Throwable t) {
      problems(ctxt).add(path(parser(ctxt).getParsingContext()) + ": cannot be read as " + expected(instClass));
      return null;
    }

    @Override
    public Object handleMissingInstantiator(DeserializationContext ctxt, Class<?> instClass,
        com.fasterxml.jackson.databind.deser.ValueInstantiator valueInsta, JsonParser p, String msg)
        throws IOException {
      // Jackson passes its outermost parser here, not the one of the buffered resource being read.
      JsonParser q = parser(ctxt);
      problems(ctxt).add(path(q.getParsingContext()) + ": has the wrong type (" + describe(q.currentToken())
          + "); expected " + expected(instClass));
      q.skipChildren();
      return null;
    }

    private static String suggestion(String name, java.util.Collection<Object> known) {
      if (known == null || known.isEmpty()) {
        return "";
      }
      List<String> names = known.stream().map(Object::toString).sorted().toList();
      String closest = null;
      int best = 3;
      for (String k : names) {
        int d = distance(name.toLowerCase(java.util.Locale.ROOT), k.toLowerCase(java.util.Locale.ROOT));
        if (d < best) {
          best = d;
          closest = k;
        }
      }
      return closest != null ? "; did you mean '" + closest + "'?" : "; known fields: " + String.join(", ", names);
    }

    /** Levenshtein distance, for the names of a few fields. */
    private static int distance(String a, String b) {
      int[] prev = new int[b.length() + 1];
      int[] cur = new int[b.length() + 1];
      for (int j = 0; j <= b.length(); j++) {
        prev[j] = j;
      }
      for (int i = 1; i <= a.length(); i++) {
        cur[0] = i;
        for (int j = 1; j <= b.length(); j++) {
          int cost = a.charAt(i - 1) == b.charAt(j - 1) ? 0 : 1;
          cur[j] = Math.min(Math.min(cur[j - 1] + 1, prev[j] + 1), prev[j - 1] + cost);
        }
        int[] t = prev;
        prev = cur;
        cur = t;
      }
      return prev[b.length()];
    }

    static String describe(JsonToken t) {
      if (t == null) {
        return "nothing";
      }
      switch (t) {
        case START_ARRAY:
          return "a list";
        case START_OBJECT:
          return "an object";
        case VALUE_STRING:
          return "a string";
        case VALUE_NUMBER_INT:
        case VALUE_NUMBER_FLOAT:
          return "a number";
        case VALUE_TRUE:
        case VALUE_FALSE:
          return "a boolean";
        default:
          return t.name().toLowerCase(java.util.Locale.ROOT);
      }
    }

    private static String expected(Class<?> type) {
      if (List.class.isAssignableFrom(type)) {
        return "a list";
      }
      if (type == String.class) {
        return "a string";
      }
      if (type == Boolean.class || type == boolean.class) {
        return "true or false";
      }
      if (Number.class.isAssignableFrom(type) || type.isPrimitive()) {
        return "a number";
      }
      if (type.isEnum()) {
        return "one of " + constants(type);
      }
      return "an object";
    }

    private static String constants(Class<?> enumType) {
      return String.join(", ", java.util.Arrays.stream(enumType.getEnumConstants()).map(Object::toString).toList());
    }
  }
}
