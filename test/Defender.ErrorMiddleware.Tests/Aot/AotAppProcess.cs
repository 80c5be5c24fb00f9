using System.Diagnostics;
using System.Text.RegularExpressions;

namespace Defender.ErrorMiddleware.Tests.Aot;

/// <summary>
/// The test app running as a process of its own on 127.0.0.1 and a free port Kestrel picks: its console log is kept
/// (one line per entry) so tests can find each error's target in it.
/// </summary>
public sealed partial class AotAppProcess : IAsyncDisposable
{
    private static readonly TimeSpan StartTimeout = TimeSpan.FromSeconds(60);
    private Process _process = null!;
    private readonly List<string> _log = [];
    private readonly TaskCompletionSource<Uri> _listening = new(TaskCreationOptions.RunContinuationsAsynchronously);

    private AotAppProcess()
    {
    }

    public Uri BaseAddress { get; private set; } = null!;

    /// <summary>From starting the process to Kestrel's "Now listening on" line.</summary>
    public TimeSpan StartupTime { get; private set; }

    public int ProcessId => _process.Id;

    /// <summary>The process's resident set (VmRSS), read from /proc.</summary>
    public long ResidentBytes =>
        File.ReadLines($"/proc/{_process.Id}/status").Where(l => l.StartsWith("VmRSS:", StringComparison.Ordinal))
            .Select(l => long.Parse(l.Split(' ', StringSplitOptions.RemoveEmptyEntries)[1], System.Globalization.CultureInfo.InvariantCulture) * 1024)
            .Single();

    public IReadOnlyList<string> Log
    {
        get
        {
            lock (_log)
            {
                return [.. _log];
            }
        }
    }

    /// <summary>Starts <paramref name="fileName"/> (the native binary, or <c>dotnet</c> with the JIT build's dll) and waits until it listens.</summary>
    public static async Task<AotAppProcess> StartAsync(string fileName, params string[] arguments)
    {
        var environment = new Dictionary<string, string>
        {
            ["ASPNETCORE_URLS"] = "http://127.0.0.1:0",
            ["ASPNETCORE_ENVIRONMENT"] = "Production",
            ["Logging__Console__FormatterName"] = "simple",
            ["Logging__Console__FormatterOptions__SingleLine"] = "true",
            ["Logging__Console__FormatterOptions__ColorBehavior"] = "Disabled",
        };

        var app = new AotAppProcess();
        var clock = Stopwatch.StartNew();
        app._process = ProcessRunner.Start(fileName, arguments, workingDirectory: null, environment, app.Receive, app.Receive);

        var exited = app._process.WaitForExitAsync();
        var first = await Task.WhenAny(app._listening.Task, exited, Task.Delay(StartTimeout));
        if (first != app._listening.Task)
        {
            var log = string.Join('\n', app.Log);
            await app.DisposeAsync();
            throw new InvalidOperationException($"{fileName} did not start listening within {StartTimeout.TotalSeconds} s.\n{log}");
        }

        app.StartupTime = clock.Elapsed;
        app.BaseAddress = await app._listening.Task;
        return app;
    }

    /// <summary>The log lines that name <paramref name="target"/>, waiting briefly: the console logger writes from a queue of its own.</summary>
    public async Task<IReadOnlyList<string>> LinesWithAsync(Guid target)
    {
        var text = target.ToString();
        for (var attempt = 0; ; attempt++)
        {
            var lines = Log.Where(l => l.Contains(text, StringComparison.Ordinal)).ToList();
            if (lines.Count > 0 || attempt == 50)
            {
                return lines;
            }

            await Task.Delay(100);
        }
    }

    public async ValueTask DisposeAsync()
    {
        try
        {
            if (!_process.HasExited)
            {
                _process.Kill(entireProcessTree: true);
                await _process.WaitForExitAsync();
            }
        }
        catch (InvalidOperationException)
        {
            // Never started or already gone.
        }

        _process.Dispose();
    }

    private void Receive(string line)
    {
        lock (_log)
        {
            _log.Add(line);
        }

        if (ListeningLine().Match(line) is { Success: true } match)
        {
            _listening.TrySetResult(new Uri(match.Groups[1].Value));
        }
    }

    [GeneratedRegex(@"Now listening on: (http://127\.0\.0\.1:\d+)")]
    private static partial Regex ListeningLine();
}
