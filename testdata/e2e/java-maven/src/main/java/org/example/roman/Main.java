package org.example.roman;

public final class Main {
    private Main() {}

    public static void main(String[] args) {
        for (String a : args) {
            if (a.chars().allMatch(Character::isDigit)) {
                System.out.println(a + " = " + Roman.toRoman(Integer.parseInt(a)));
            } else {
                System.out.println(a + " = " + Roman.fromRoman(a));
            }
        }
        System.out.println("(Java " + Runtime.version().feature() + ")");
    }
}
