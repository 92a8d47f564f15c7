package io.authip.logging;

import ch.qos.logback.classic.pattern.ClassicConverter;
import ch.qos.logback.classic.spi.ILoggingEvent;
import java.util.Map;

/**
 * {@code %authipMdc}: {@code policy=ns/name cluster=sub/rg/name } (or {@code rangeset=ns/name}) for the entries
 * present, in that order. JOSDK's own lines around a reconcile carry only its {@code resource.*} entries; they are
 * shown as {@code resource=ns/name}. Control characters and blanks in values become {@code _}, so that a value
 * cannot forge a field or a line.
 */
public final class MdcConverter extends ClassicConverter {

  @Override
  public String convert(ILoggingEvent event) {
    Map<String, String> mdc = event.getMDCPropertyMap();
    if (mdc == null || mdc.isEmpty()) {
      return "";
    }
    StringBuilder out = new StringBuilder();
    append(out, Logging.POLICY, mdc.get(Logging.POLICY));
    append(out, Logging.RANGE_SET, mdc.get(Logging.RANGE_SET));
    append(out, Logging.CLUSTER, mdc.get(Logging.CLUSTER));
    if (out.length() == 0 && mdc.get("resource.name") != null) {
      String ns = mdc.get("resource.namespace");
      append(out, "resource", (ns == null ? "" : ns + "/") + mdc.get("resource.name"));
    }
    return out.toString();
  }

  private static void append(StringBuilder out, String key, String value) {
    if (value == null) {
      return;
    }
    out.append(key).append('=');
    value.chars().forEach(c -> out.append(Character.isISOControl(c) || c == ' ' ? '_' : (char) c));
    out.append(' ');
  }
}
