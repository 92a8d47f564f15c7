package io.authip.operator;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonStreamContext;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.databind.BeanDescription;
import com.fasterxml.jackson.databind.DeserializationConfig;
import com.fasterxml.jackson.databind.DeserializationContext;
import com.fasterxml.jackson.databind.JavaType;
import com.fasterxml.jackson.databind.JsonDeserializer;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.deser.BeanDeserializerModifier;
import com.fasterxml.jackson.databind.deser.DeserializationProblemHandler;
import com.fasterxml.jackson.databind.deser.std.DelegatingDeserializer;
import com.fasterxml.jackson.databind.module.SimpleModule;
import io.authip.api.v1alpha1.AuthorizedIpPolicy;
import io.authip.api.v1alpha1.IpRangeSet;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.client.utils.KubernetesSerialization;
import io.javaoperatorsdk.operator.api.config.Cloner;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;

/**
 * Reads authip resources without ever failing on a wrong type or an invalid enum value: the field becomes null and
 * the problem is recorded on the resource ({@code readProblems}), so that the reconciler reports it in status
 * instead of the informer stopping on one malformed object.
 */
public final class TolerantSerialization {

  private static final String PROBLEMS = "authip.readProblems";

  private TolerantSerialization() {
  }

  public static KubernetesSerialization create() {
    ObjectMapper mapper = new ObjectMapper();
    mapper.addHandler(new Recorder());
    SimpleModule module = new SimpleModule("authip-tolerant");
    module.setDeserializerModifier(new BeanDeserializerModifier() {
      @Override
      public JsonDeserializer<?> modifyDeserializer(DeserializationConfig config, BeanDescription desc,
          JsonDeserializer<?> deserializer) {
        Class<?> type = desc.getBeanClass();
        if (type == AuthorizedIpPolicy.class || type == IpRangeSet.class) {
          return new Collecting(deserializer);
        }
        return deserializer;
      }
    });
    mapper.registerModule(module);
    return new KubernetesSerialization(mapper, true);
  }

  /** JOSDK clones resources through JSON; keep the recorded problems across the copy. */
  public static Cloner cloner(KubernetesSerialization serialization) {
    return new Cloner() {
      @Override
      public <R extends HasMetadata> R clone(R object) {
        R copy = serialization.clone(object);
        if (object instanceof AuthorizedIpPolicy p && copy instanceof AuthorizedIpPolicy c) {
          c.setReadProblems(p.getReadProblems());
        } else if (object instanceof IpRangeSet s && copy instanceof IpRangeSet c) {
          c.setReadProblems(s.getReadProblems());
        }
        return copy;
      }
    };
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

  /** Wraps the root deserializer so the problems collected underneath end up on the resource. */
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
      List<String> problems = problems(ctxt);
      problems.clear();
      Object value = super.deserialize(p, ctxt);
      if (!problems.isEmpty()) {
        if (value instanceof AuthorizedIpPolicy policy) {
          policy.setReadProblems(problems);
        } else if (value instanceof IpRangeSet set) {
          set.setReadProblems(problems);
        }
      }
      problems.clear();
      return value;
    }
  }

  private static final class Recorder extends DeserializationProblemHandler {
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
      String allowed = targetType.isEnum() ? "; allowed: " + String.join(", ",
          java.util.Arrays.stream(targetType.getEnumConstants()).map(Object::toString).toList()) : "";
      problems(ctxt).add(path(ctxt.getParser().getParsingContext()) + ": '" + value + "' is not a valid "
          + expected(targetType) + allowed);
      return null;
    }

    @Override
    public Object handleWeirdNumberValue(DeserializationContext ctxt, Class<?> targetType, Number value,
        String failureMsg) {
      problems(ctxt).add(path(ctxt.getParser().getParsingContext()) + ": " + value + " is not a valid "
          + expected(targetType));
      return null;
    }

    @Override
    public Object handleInstantiationProblem(DeserializationContext ctxt, Class<?> instClass, Object argument,
        Throwable t) {
      problems(ctxt).add(path(ctxt.getParser().getParsingContext()) + ": cannot be read as " + expected(instClass));
      return null;
    }

    @Override
    public Object handleMissingInstantiator(DeserializationContext ctxt, Class<?> instClass,
        com.fasterxml.jackson.databind.deser.ValueInstantiator valueInsta, JsonParser p, String msg)
        throws IOException {
      problems(ctxt).add(path(p.getParsingContext()) + ": has the wrong type (" + describe(p.currentToken())
          + "); expected " + expected(instClass));
      p.skipChildren();
      return null;
    }

    private static String describe(JsonToken t) {
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
        return "value";
      }
      return "an object";
    }
  }
}
