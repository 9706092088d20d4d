package dev.datawal.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

/** The command line: what is accepted, and errors that name the bad argument. */
class ArgParserTests {
  private final ArgParser parser = new ArgParser(Cli.COMMANDS.stream().map(Command::spec).toList());

  @Test
  void optionsGoAnywhereAfterTheCommandAndJsonAnywhere() {
    ParsedArgs args = parser.parse("scan", "--limit", "5", "/s", "--json", "--bytes=hex");
    assertThat(args.command().name()).isEqualTo("scan");
    assertThat(args.json()).isTrue();
    assertThat(args.positionals()).containsExactly("/s");
    assertThat(args.positiveLong("--limit", 0)).isEqualTo(5);
    assertThat(args.choice("--bytes", BytesFormat.CHOICES, BytesFormat.AUTO))
        .isEqualTo(BytesFormat.HEX);
    assertThat(parser.parse("--json", "report", "/s").json()).isTrue();
  }

  @Test
  void aDoubleDashEndsTheOptionsSoAPathMayStartWithADash() {
    assertThat(parser.parse("report", "--", "-odd").positionals()).containsExactly("-odd");
  }

  @Test
  void errorsNameTheBadArgumentAndTheCommand() {
    assertThatThrownBy(() -> parser.parse("scan", "/s", "--foo"))
        .isInstanceOf(UsageException.class)
        .hasMessage("unknown option --foo for scan");
    assertThatThrownBy(() -> parser.parse("scan", "/s", "--limit", "x").positiveLong("--limit", 0))
        .hasMessage("--limit must be a positive integer, got 'x'");
    assertThatThrownBy(() -> parser.parse("scan", "/s", "--limit", "0").positiveLong("--limit", 0))
        .hasMessage("--limit must be a positive integer, got '0'");
    assertThatThrownBy(
            () ->
                parser.parse("scan", "/s", "--from-offset=-1").nonNegativeLong("--from-offset", 0))
        .hasMessage("--from-offset must be a non-negative integer, got '-1'");
    assertThatThrownBy(() -> parser.parse("scan", "/s", "--limit"))
        .hasMessage("--limit needs a value (N)");
    assertThatThrownBy(() -> parser.parse("scan", "/s", "--limit", "1", "--limit", "2"))
        .hasMessage("--limit is given twice");
    assertThatThrownBy(() -> parser.parse("scan", "/s", "--no-truncate=yes"))
        .hasMessage("--no-truncate takes no value, got '--no-truncate=yes'");
    assertThatThrownBy(() -> parser.parse("scan", "/s", "/t"))
        .hasMessage("unexpected argument '/t' for scan");
    assertThatThrownBy(() -> parser.parse("scan"))
        .hasMessageStartingWith("scan needs <store> (usage: datawal scan <store> [--limit N]");
    assertThatThrownBy(() -> parser.parse("export", "/s"))
        .hasMessageStartingWith("export needs <outfile>");
    assertThatThrownBy(() -> parser.parse("frobnicate", "/s"))
        .hasMessageStartingWith("unknown command 'frobnicate'; commands: scan, get, report");
    assertThatThrownBy(() -> parser.parse("--limit", "3", "scan", "/s"))
        .hasMessage("unknown option --limit (command options go after the command)");
    assertThatThrownBy(() -> parser.parse()).hasMessage("no command given");
    assertThatThrownBy(
            () ->
                parser
                    .parse("scan", "/s", "--bytes", "utf8")
                    .choice("--bytes", BytesFormat.CHOICES, BytesFormat.AUTO))
        .hasMessage("--bytes must be one of auto, base64, hex, got 'utf8'");
    assertThatThrownBy(
            () ->
                parser
                    .parse("get", "/s", "--bytes", "utf8")
                    .choice("--bytes", ValueFormat.CHOICES, ValueFormat.AUTO))
        .hasMessage("--bytes must be one of auto, base64, hex, raw, got 'utf8'");
  }

  @Test
  void helpAndVersionNeedNoOtherArguments() {
    assertThat(parser.parse("--help").help()).isTrue();
    assertThat(parser.parse("scan", "-h").command().name()).isEqualTo("scan");
    assertThat(parser.parse("--version").version()).isTrue();
  }

  @Test
  void getTakesExactlyOneKeyInOneOfThreeEncodings() {
    assertThat(GetCommand.key(parser.parse("get", "/s", "--key", "héllo")))
        .isEqualTo("héllo".getBytes(java.nio.charset.StandardCharsets.UTF_8));
    assertThat(GetCommand.key(parser.parse("get", "/s", "--key-hex", "DEADbeef")))
        .containsExactly(0xDE, 0xAD, 0xBE, 0xEF);
    assertThat(GetCommand.key(parser.parse("get", "/s", "--key-base64", "aGk=")))
        .isEqualTo(new byte[] {'h', 'i'});
    for (String[] bad :
        new String[][] {
          {"get", "/s"}, {"get", "/s", "--key", "a", "--key-hex", "61"},
        }) {
      assertThatThrownBy(() -> GetCommand.key(parser.parse(bad)))
          .hasMessage("pass exactly one of --key, --key-base64, or --key-hex");
    }
    assertThatThrownBy(() -> GetCommand.key(parser.parse("get", "/s", "--key-hex", "abc")))
        .hasMessageStartingWith("invalid --key-hex 'abc'");
    assertThatThrownBy(() -> GetCommand.key(parser.parse("get", "/s", "--key-base64", "!!")))
        .hasMessageStartingWith("invalid --key-base64 '!!'");
  }

  @Test
  void everyCommandHasHelpNamingItsOptionsAndExitCodes() {
    for (Command c : Cli.COMMANDS) {
      String help = Help.of(c.spec());
      assertThat(help).contains("usage: datawal " + c.spec().name()).containsIgnoringCase("exit");
      for (CommandSpec.Option o : c.spec().options()) {
        assertThat(help).contains(o.name());
      }
    }
    assertThat(Help.general(Cli.COMMANDS))
        .contains(
            "scan", "get", "report", "verify", "dump", "check", "export", "compact", "repair");
  }
}
