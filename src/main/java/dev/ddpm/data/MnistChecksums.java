package dev.ddpm.data;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.function.Consumer;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The MD5s an IDX file must have: the official file's of its name, where that is known, and the one
 * its folder's {@value #MD5SUMS} lists for its name, if it lists one. A file that matches the
 * official sum but not its entry is intact, and the refusal says so.
 */
final class MnistChecksums {

    private static final Logger LOG = LoggerFactory.getLogger(MnistChecksums.class);

    /** Optional list of the folder's files and their MD5, in the format of {@code md5sum}. */
    static final String MD5SUMS = "MD5SUMS";

    /**
     * An md5sum line: the sum, then two spaces, or a space and '*' for a file read in binary mode,
     * then the path.
     */
    private static final Pattern MD5SUMS_LINE = Pattern.compile("([0-9a-fA-F]{32}) [ *](.+?)\\s*");

    private final Map<String, String> official;
    private final Map<String, String> listed;
    private final Path listing;

    private MnistChecksums(Map<String, String> official, Map<String, String> listed, Path listing) {
        this.official = official;
        this.listed = listed;
        this.listing = listing;
    }

    /**
     * The sums for the files of {@code dataDir}: {@code official} by file name, and those its
     * {@value #MD5SUMS} lists (read now; a malformed line is refused).
     */
    static MnistChecksums of(Path dataDir, Map<String, String> official) {
        Path listing = dataDir.resolve(MD5SUMS);
        return new MnistChecksums(official, listedMd5(listing), listing);
    }

    /** The check of {@code file}'s MD5, for {@link IdxReader} to call with the MD5 it computed. */
    Consumer<String> check(Path file) {
        String name = file.getFileName().toString();
        String officialMd5 = official.get(name);
        String listedMd5 = listed.get(name);
        String remedy =
                ": it is corrupt or modified; delete it and 'ddpm train' downloads it again, or"
                        + " copy the official file there";
        return md5 -> {
            if (officialMd5 != null && !md5.equals(officialMd5)) {
                throw new DataException(
                        file
                                + " does not match the official file (MD5 "
                                + md5
                                + ", expected "
                                + officialMd5
                                + ")"
                                + remedy);
            }
            if (listedMd5 != null && !md5.equals(listedMd5)) {
                throw new DataException(
                        officialMd5 != null
                                ? file
                                        + " is the official file (MD5 "
                                        + md5
                                        + ") but "
                                        + listing
                                        + " lists "
                                        + listedMd5
                                        + " for it: correct or delete that line of "
                                        + listing
                                : file
                                        + " does not match the official file (MD5 "
                                        + md5
                                        + ", expected "
                                        + listedMd5
                                        + " as listed in "
                                        + listing
                                        + ")"
                                        + remedy);
            }
            if (officialMd5 == null && listedMd5 == null) {
                LOG.debug("{}: no known MD5, read unchecked", file);
            } else {
                LOG.debug("{}: MD5 {} as expected", file, md5);
            }
        };
    }

    /**
     * The MD5 that {@code listing} lists for each file name (the paths in it may start with a
     * folder, e.g. {@code data/mnist/}); empty when there is no such file.
     */
    private static Map<String, String> listedMd5(Path listing) {
        if (!Files.exists(listing)) {
            return Map.of();
        }
        IdxReader.requireRegularFile(listing);
        List<String> lines;
        try {
            lines = Files.readAllLines(listing);
        } catch (IOException e) {
            throw new DataException("cannot read " + listing + ": " + e, e);
        }
        Map<String, String> md5 = new HashMap<>();
        for (int i = 0; i < lines.size(); i++) {
            if (lines.get(i).isBlank()) {
                continue;
            }
            Matcher entry = MD5SUMS_LINE.matcher(lines.get(i));
            if (!entry.matches()) {
                throw new DataException(
                        listing
                                + " line "
                                + (i + 1)
                                + " is not '<md5>  <file>' as md5sum writes it;"
                                + " correct or delete that line");
            }
            String path = entry.group(2);
            md5.put(
                    path.substring(path.lastIndexOf('/') + 1),
                    entry.group(1).toLowerCase(Locale.ROOT));
        }
        return md5;
    }
}
