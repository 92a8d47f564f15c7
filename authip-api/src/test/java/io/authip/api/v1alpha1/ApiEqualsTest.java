package io.authip.api.v1alpha1;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.fail;

import io.fabric8.kubernetes.api.model.Condition;
import java.io.IOException;
import java.lang.reflect.Field;
import java.lang.reflect.Method;
import java.lang.reflect.Modifier;
import java.lang.reflect.ParameterizedType;
import java.lang.reflect.Type;
import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * The reconcilers decide whether to write status by {@code equals}: a field that {@code equals} forgets silently
 * suppresses status writes. For every type of this package that writes its own {@code equals}, each field in turn is
 * given another value and {@code equals} must see the difference; equal objects must have equal hash codes. A type
 * held by such a type must write {@code equals} too (identity would make every status look changed).
 */
class ApiEqualsTest {

  /** Every class of the package with its own equals (discovered, so a new type is covered without editing this). */
  static List<Class<?>> typesWithEquals() throws IOException, URISyntaxException {
    Path dir = Path.of(AuthorizedIpPolicyStatus.class.getResource("AuthorizedIpPolicyStatus.class").toURI())
        .getParent();
    List<Class<?>> out = new ArrayList<>();
    try (Stream<Path> files = Files.list(dir)) {
      for (Path f : files.sorted().toList()) {
        String name = f.getFileName().toString();
        if (!name.endsWith(".class") || name.equals("package-info.class")) {
          continue;
        }
        Class<?> c;
        try {
          c = Class.forName(ApiEqualsTest.class.getPackageName() + "." + name.replace(".class", ""));
        } catch (ClassNotFoundException e) {
          throw new AssertionError(e);
        }
        if (!c.isEnum() && !c.isInterface() && !c.isAnonymousClass() && declaresEquals(c)) {
          out.add(c);
        }
      }
    }
    return out;
  }

  private static boolean declaresEquals(Class<?> c) {
    try {
      Method m = c.getDeclaredMethod("equals", Object.class);
      return m.getDeclaringClass() == c;
    } catch (NoSuchMethodException e) {
      return false;
    }
  }

  private static List<Field> fields(Class<?> c) {
    List<Field> out = new ArrayList<>();
    for (Field f : c.getDeclaredFields()) {
      if (!Modifier.isStatic(f.getModifiers()) && !f.isSynthetic()) {
        f.setAccessible(true);
        out.add(f);
      }
    }
    return out;
  }

  @Test
  void theStatusTypesAreCovered() throws Exception {
    assertThat(typesWithEquals()).contains(AuthorizedIpPolicyStatus.class, IpRangeSetStatus.class,
        TargetStatus.class, CapturedAccess.class, PendingOperation.class, ClusterTarget.class);
  }

  @Test
  void equalsSeesEveryFieldAndHashCodeIsConsistent() throws Exception {
    for (Class<?> type : typesWithEquals()) {
      for (Field f : fields(type)) {
        Object a = filled(type, 0);
        Object b = filled(type, 0);
        assertThat(a).as("%s filled alike", type.getSimpleName()).isEqualTo(b);
        assertThat(a.hashCode()).as("%s hashCode of equal objects", type.getSimpleName()).isEqualTo(b.hashCode());
        f.set(b, value(f.getGenericType(), 1, type + "." + f.getName()));
        assertThat(a).as("%s.equals must see a different %s", type.getSimpleName(), f.getName()).isNotEqualTo(b);
        assertThat(b).as("%s.equals must see a different %s", type.getSimpleName(), f.getName()).isNotEqualTo(a);
        f.set(b, null);
        assertThat(a).as("%s.equals must see a null %s", type.getSimpleName(), f.getName()).isNotEqualTo(b);
        f.set(b, value(f.getGenericType(), 0, type + "." + f.getName()));
        assertThat(a).as("%s back to the same %s", type.getSimpleName(), f.getName()).isEqualTo(b);
        assertThat(a.hashCode()).isEqualTo(b.hashCode());
      }
    }
  }

  @Test
  void everyApiTypeHeldByATypeWithEqualsHasItsOwnEquals() throws Exception {
    for (Class<?> type : typesWithEquals()) {
      for (Field f : fields(type)) {
        Class<?> held = rawElement(f.getGenericType());
        if (held.getPackage() == type.getPackage() && !held.isEnum()) {
          assertThat(declaresEquals(held)).as("%s.%s is a %s, which must write equals", type.getSimpleName(),
              f.getName(), held.getSimpleName()).isTrue();
        }
      }
    }
  }

  private static Class<?> rawElement(Type t) {
    if (t instanceof ParameterizedType p) {
      return rawElement(p.getActualTypeArguments()[p.getActualTypeArguments().length - 1]);
    }
    return (Class<?>) t;
  }

  /** An instance with every field set to variant {@code v} (0 or 1) of its type. */
  private static Object filled(Class<?> type, int v) throws Exception {
    Object o = type.getDeclaredConstructor().newInstance();
    for (Field f : fields(type)) {
      f.set(o, value(f.getGenericType(), v, type.getSimpleName() + "." + f.getName()));
    }
    return o;
  }

  private static Object value(Type t, int v, String where) throws Exception {
    if (t instanceof ParameterizedType p) {
      if (p.getRawType() == List.class) {
        List<Object> list = new ArrayList<>();
        list.add(value(p.getActualTypeArguments()[0], v, where));
        return list;
      }
      if (p.getRawType() == java.util.Map.class) {
        java.util.Map<Object, Object> map = new java.util.LinkedHashMap<>();
        map.put(value(p.getActualTypeArguments()[0], 0, where), value(p.getActualTypeArguments()[1], v, where));
        return map;
      }
      return fail("%s: no sample values for %s; extend ApiEqualsTest.value", where, t);
    }
    Class<?> c = (Class<?>) t;
    if (c == String.class) {
      return v == 0 ? "a" : "b";
    }
    if (c == Integer.class || c == int.class) {
      return v + 1;
    }
    if (c == Long.class || c == long.class) {
      return (long) v + 1;
    }
    if (c == Boolean.class || c == boolean.class) {
      return v == 0;
    }
    if (c.isEnum()) {
      Object[] constants = c.getEnumConstants();
      assertThat(constants).as("%s has two values to tell apart", c).hasSizeGreaterThan(1);
      return constants[v];
    }
    if (c == Condition.class) {
      Condition condition = new Condition();
      condition.setType(v == 0 ? "Ready" : "Drifted");
      condition.setStatus("True");
      return condition;
    }
    if (c.getPackage() == ApiEqualsTest.class.getPackage()) {
      return filled(c, v);
    }
    return fail("%s: no sample values for %s; extend ApiEqualsTest.value", where, t);
  }
}
