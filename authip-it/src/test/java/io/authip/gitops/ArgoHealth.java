package io.authip.gitops;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Iterator;
import java.util.Map;
import org.luaj.vm2.Globals;
import org.luaj.vm2.LuaTable;
import org.luaj.vm2.LuaValue;
import org.luaj.vm2.lib.jse.JsePlatform;

/**
 * Runs an ArgoCD resource health script as ArgoCD does: the object, converted from its JSON, is the global
 * {@code obj}; the script returns a table with {@code status} and {@code message}.
 */
final class ArgoHealth {

  /** ArgoCD's health statuses. */
  static final java.util.Set<String> STATUSES = java.util.Set.of("Healthy", "Progressing", "Degraded", "Suspended",
      "Missing", "Unknown");

  record Verdict(String status, String message) {
  }

  private final String script;
  private final String name;

  ArgoHealth(Path script) {
    try {
      this.script = Files.readString(script);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    this.name = script.getFileName().toString();
  }

  Verdict evaluate(JsonNode object) {
    Globals globals = JsePlatform.standardGlobals();
    globals.set("obj", lua(object));
    LuaValue result = globals.load(script, name).call();
    if (!result.istable()) {
      throw new AssertionError(name + " returned " + result.typename() + ", not a table");
    }
    LuaValue status = result.get("status");
    LuaValue message = result.get("message");
    String s = status.isnil() ? null : status.tojstring();
    if (!STATUSES.contains(s)) {
      throw new AssertionError(name + " returned status " + s + ", which ArgoCD does not know");
    }
    return new Verdict(s, message.isnil() ? null : message.tojstring());
  }

  /** JSON as ArgoCD hands it to Lua: objects and arrays as tables (arrays from 1), numbers, strings, booleans. */
  static LuaValue lua(JsonNode node) {
    if (node == null || node.isNull() || node.isMissingNode()) {
      return LuaValue.NIL;
    }
    if (node.isObject()) {
      LuaTable table = new LuaTable();
      for (Iterator<Map.Entry<String, JsonNode>> it = node.fields(); it.hasNext(); ) {
        Map.Entry<String, JsonNode> e = it.next();
        table.set(e.getKey(), lua(e.getValue()));
      }
      return table;
    }
    if (node.isArray()) {
      LuaTable table = new LuaTable();
      for (int i = 0; i < node.size(); i++) {
        table.set(i + 1, lua(node.get(i)));
      }
      return table;
    }
    if (node.isBoolean()) {
      return LuaValue.valueOf(node.booleanValue());
    }
    if (node.isIntegralNumber()) {
      return LuaValue.valueOf(node.longValue());
    }
    if (node.isNumber()) {
      return LuaValue.valueOf(node.doubleValue());
    }
    return LuaValue.valueOf(node.asText());
  }
}
