package org.example.tally;

import com.google.gson.GsonBuilder;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Paths;

public final class Main {
    private Main() {
    }

    public static void main(String[] args) throws IOException {
        if (args.length == 0) {
            System.err.println("usage: java -jar tally.jar EVENTS.json...");
            System.exit(2);
        }
        Tally tally = new Tally();
        for (String path : args) {
            tally.addAll(new String(Files.readAllBytes(Paths.get(path)), StandardCharsets.UTF_8));
        }
        System.out.println(new GsonBuilder().setPrettyPrinting().create().toJson(tally.toJson()));
        System.err.println("tally 2.0.0 with gson from " + GsonBuilder.class.getProtectionDomain().getCodeSource().getLocation());
    }
}
