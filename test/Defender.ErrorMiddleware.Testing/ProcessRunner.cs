using System.Diagnostics;
using System.Text;

namespace Defender.ErrorMiddleware.Testing;

public sealed record ProcessResult(int ExitCode, string Output, string Error)
{
    public string Describe(string what) => $"{what} exited with {ExitCode}.\n--- stdout ---\n{Output}\n--- stderr ---\n{Error}";
}

/// <summary>Runs a tool as a subprocess, bounded in time: a hung tool fails its test instead of the whole run.</summary>
public static class ProcessRunner
{
    public static async Task<ProcessResult> RunAsync(
        string fileName, IEnumerable<string> arguments, string workingDirectory, TimeSpan timeout,
        IReadOnlyDictionary<string, string>? environment = null)
    {
        var output = new StringBuilder();
        var error = new StringBuilder();
        using var process = Start(fileName, arguments, workingDirectory, environment,
            line => { lock (output) { output.AppendLine(line); } },
            line => { lock (error) { error.AppendLine(line); } });

        using var cancellation = new CancellationTokenSource(timeout);
        try
        {
            await process.WaitForExitAsync(cancellation.Token);
        }
        catch (OperationCanceledException)
        {
            process.Kill(entireProcessTree: true);
            await process.WaitForExitAsync();
            throw new TimeoutException($"{fileName} {string.Join(' ', process.StartInfo.ArgumentList)} did not finish in {timeout}.\n{output}\n{error}");
        }

        // WaitForExitAsync returns after the output streams closed; the lock pairs with the handlers.
        lock (output)
        {
            lock (error)
            {
                return new ProcessResult(process.ExitCode, output.ToString(), error.ToString());
            }
        }
    }

    /// <summary>
    /// Starts a tool with its input closed and colour and telemetry off; each line it writes goes to
    /// <paramref name="onOutput"/> or <paramref name="onError"/> (on the thread pool). The caller owns the process.
    /// </summary>
    public static Process Start(
        string fileName, IEnumerable<string> arguments, string? workingDirectory, IReadOnlyDictionary<string, string>? environment,
        Action<string> onOutput, Action<string> onError)
    {
        var start = new ProcessStartInfo(fileName)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            RedirectStandardInput = true,
            UseShellExecute = false,
        };
        if (workingDirectory is not null)
        {
            start.WorkingDirectory = workingDirectory;
        }

        foreach (var argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }

        start.Environment["NO_COLOR"] = "1";
        start.Environment["DOTNET_CLI_TELEMETRY_OPTOUT"] = "1";
        start.Environment["DOTNET_NOLOGO"] = "1";
        foreach (var (key, value) in environment ?? new Dictionary<string, string>())
        {
            start.Environment[key] = value;
        }

        var process = new Process { StartInfo = start };
        process.OutputDataReceived += (_, e) => { if (e.Data is not null) { onOutput(e.Data); } };
        process.ErrorDataReceived += (_, e) => { if (e.Data is not null) { onError(e.Data); } };
        try
        {
            process.Start();
            process.StandardInput.Close();
            process.BeginOutputReadLine();
            process.BeginErrorReadLine();
            return process;
        }
        catch
        {
            process.Dispose();
            throw;
        }
    }
}
