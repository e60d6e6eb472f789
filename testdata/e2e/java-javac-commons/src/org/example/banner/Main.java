package org.example.banner;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.ArrayList;
import java.util.List;
import java.util.Properties;

import org.apache.commons.lang3.StringUtils;
import org.apache.commons.lang3.SystemUtils;

/** Prints its arguments in a framed banner; width and frame come from /etc/banner/banner.properties. */
public final class Main {
    static final String CONFIG = "/etc/banner/banner.properties";

    private Main() {
    }

    static List<String> wrap(String text, int width) {
        List<String> lines = new ArrayList<>();
        StringBuilder line = new StringBuilder();
        for (String word : StringUtils.split(text)) {
            if (line.length() > 0 && line.length() + 1 + word.length() > width) {
                lines.add(line.toString());
                line.setLength(0);
            }
            if (line.length() > 0) {
                line.append(' ');
            }
            line.append(StringUtils.abbreviate(word, width));
        }
        if (line.length() > 0) {
            lines.add(line.toString());
        }
        return lines;
    }

    public static void main(String[] args) throws IOException {
        Properties p = new Properties();
        Path cfg = Paths.get(System.getProperty("banner.config", CONFIG));
        try (InputStream in = Files.newInputStream(cfg)) {
            p.load(in);
        }
        int width = Integer.parseInt(p.getProperty("width", "40").trim());
        String frame = p.getProperty("frame", "*");
        boolean upper = Boolean.parseBoolean(p.getProperty("uppercase", "false").trim());

        String text = args.length > 0 ? String.join(" ", args) : p.getProperty("default.text", "hello");
        if (upper) {
            text = StringUtils.upperCase(text);
        }
        String edge = StringUtils.repeat(frame, width + 4);
        System.out.println(edge);
        for (String line : wrap(text, width)) {
            System.out.println(frame + " " + StringUtils.center(line, width) + " " + frame);
        }
        System.out.println(edge);
        System.out.println("config " + cfg + ", Java " + SystemUtils.JAVA_SPECIFICATION_VERSION
                + ", user " + SystemUtils.USER_NAME);
    }
}
