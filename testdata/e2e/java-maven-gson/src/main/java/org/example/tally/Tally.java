package org.example.tally;

import com.google.gson.JsonArray;
import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import com.google.gson.JsonParser;

import java.util.Map;
import java.util.TreeMap;

/** Counts events by type and sums their durations. */
public final class Tally {
    private final Map<String, long[]> byType = new TreeMap<>();

    public void addAll(String json) {
        JsonArray events = JsonParser.parseString(json).getAsJsonArray();
        for (JsonElement e : events) {
            JsonObject o = e.getAsJsonObject();
            long[] acc = byType.computeIfAbsent(o.get("type").getAsString(), k -> new long[2]);
            acc[0]++;
            acc[1] += o.has("ms") ? o.get("ms").getAsLong() : 0;
        }
    }

    public JsonObject toJson() {
        JsonObject out = new JsonObject();
        byType.forEach((type, acc) -> {
            JsonObject t = new JsonObject();
            t.addProperty("count", acc[0]);
            t.addProperty("total_ms", acc[1]);
            out.add(type, t);
        });
        return out;
    }
}
