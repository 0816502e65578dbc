import { splitCommandLineSettings } from "../domain/config/command-line-settings.ts"
import { commandHelp, parseArguments, usage } from "./cli/arguments.ts"
import { COMMANDS, OWN_OPTIONS } from "./cli/commands.ts"
import { packageVersion } from "./package-version.ts"

/**
 * Reads the command line against the table of commands and runs the one asked for; a wrong line is
 * the usage and exit 2. MailerQ's `--key=value` config overrides (any `--name` that is not one of
 * the table's options) are taken out first and handed to the command with its config.
 */
export const main = async (args: ReadonlyArray<string>): Promise<void> => {
  const { settings, rest } = splitCommandLineSettings(args, OWN_OPTIONS)
  const request = parseArguments(COMMANDS, rest, settings)
  switch (request._tag) {
    case "Version":
      return void process.stdout.write(`smtp-intake ${packageVersion()}\n`)
    case "Help":
      return void process.stdout.write(`${request.command === undefined ? usage(COMMANDS) : commandHelp(request.command)}\n`)
    case "Error": {
      const help = request.command === undefined || request.command.name === "" ? usage(COMMANDS) : commandHelp(request.command)
      process.stderr.write(`smtp-intake: ${request.message}\n\n${help}\n`)
      process.exitCode = 2
      return
    }
    case "Run":
      return request.invocation.command.run(request.invocation)
  }
}
