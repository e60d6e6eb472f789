package org.example.tally;

import static org.junit.Assert.assertEquals;

import org.junit.Test;

public class TallyTest {
    @Test
    public void countsAndSums() {
        Tally t = new Tally();
        t.addAll("[{\"type\":\"a\",\"ms\":5},{\"type\":\"b\"},{\"type\":\"a\",\"ms\":7}]");
        assertEquals("{\"a\":{\"count\":2,\"total_ms\":12},\"b\":{\"count\":1,\"total_ms\":0}}", t.toJson().toString());
    }
}
