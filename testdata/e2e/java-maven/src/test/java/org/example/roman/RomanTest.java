package org.example.roman;

import static org.junit.Assert.assertEquals;

import org.junit.Test;

public class RomanTest {
    @Test
    public void roundTrips() {
        for (int n = 1; n <= 3999; n++) {
            assertEquals(n, Roman.fromRoman(Roman.toRoman(n)));
        }
    }

    @Test
    public void knownValues() {
        assertEquals("MCMLXXXVII", Roman.toRoman(1987));
        assertEquals("MMMCMXCIX", Roman.toRoman(3999));
    }

    @Test(expected = IllegalArgumentException.class)
    public void rejectsNonCanonical() {
        Roman.fromRoman("IIII");
    }
}
