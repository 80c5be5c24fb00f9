using System.Diagnostics;
using System.Net.Sockets;
using System.Text;

namespace Defender.SampleApi.Tests.Fleet;

/// <summary>
/// Debian's <c>redis-server</c>, started by the test on a free port of 127.0.0.1 with nothing persisted (its own folder under
/// /tmp), stopped and deleted at the end. Tests stop, pause (SIGSTOP: the socket stays open and nothing answers) and restart it.
/// </summary>
public sealed class RedisServer : IAsyncDisposable
{
    /// <summary>Names another redis-server binary; by default Debian's.</summary>
    public const string EnvironmentVariable = "DEFENDER_SAMPLE_REDIS_SERVER";

    private readonly string _directory = Directory.CreateTempSubdirectory("defender-redis-").FullName;
    private Process? _process;

    private RedisServer()
    {
    }

    /// <summary>The redis-server binary, or <see langword="null"/> when there is none (the fleet tests then skip).</summary>
    public static string? Executable =>
        Environment.GetEnvironmentVariable(EnvironmentVariable) is { Length: > 0 } configured ? configured
        : File.Exists("/usr/bin/redis-server") ? "/usr/bin/redis-server"
        : null;

    public int Port { get; private set; }

    /// <summary>The StackExchange.Redis configuration string of this server.</summary>
    public string Configuration => $"127.0.0.1:{Port}";

    public static async Task<RedisServer> StartAsync()
    {
        var server = new RedisServer();
        for (var attempt = 0; attempt < 5; attempt++)
        {
            server.Port = Random.Shared.Next(20_000, 40_000);
            if (await server.TryStartAsync())
            {
                return server;
            }
        }

        await server.DisposeAsync();
        throw new InvalidOperationException("redis-server did not start on 127.0.0.1 in five attempts.");
    }

    /// <summary>Starts it again on the same port (empty: nothing was persisted).</summary>
    public async Task RestartAsync()
    {
        if (!await TryStartAsync())
        {
            throw new InvalidOperationException($"redis-server did not start again on port {Port}.");
        }
    }

    /// <summary>Kills the server: open connections drop at once.</summary>
    public async Task StopAsync()
    {
        if (_process is { HasExited: false } process)
        {
            process.Kill();
            await process.WaitForExitAsync();
        }
    }

    /// <summary>Freezes the server (SIGSTOP): connections stay open, nothing answers, as a hung server does.</summary>
    public Task PauseAsync() => SignalAsync("-STOP");

    public Task ResumeAsync() => SignalAsync("-CONT");

    public async ValueTask DisposeAsync()
    {
        if (_process is { HasExited: false })
        {
            await ResumeAsync();
        }

        await StopAsync();
        _process?.Dispose();
        Directory.Delete(_directory, recursive: true);
    }

    private async Task SignalAsync(string signal)
    {
        using var kill = Process.Start(new ProcessStartInfo("kill", [signal, _process!.Id.ToString(System.Globalization.CultureInfo.InvariantCulture)]))!;
        await kill.WaitForExitAsync();
    }

    private async Task<bool> TryStartAsync()
    {
        _process?.Dispose();
        var start = new ProcessStartInfo(Executable!,
        [
            "--port", Port.ToString(System.Globalization.CultureInfo.InvariantCulture), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no",
            "--daemonize", "no", "--loglevel", "warning", "--dir", _directory,
        ])
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        _process = Process.Start(start)!;
        _process.OutputDataReceived += (_, _) => { };
        _process.ErrorDataReceived += (_, _) => { };
        _process.BeginOutputReadLine();
        _process.BeginErrorReadLine();

        var deadline = Stopwatch.StartNew();
        while (deadline.Elapsed < TimeSpan.FromSeconds(10))
        {
            if (_process.HasExited)
            {
                return false;
            }

            if (await PingAsync())
            {
                return true;
            }

            await Task.Delay(50);
        }

        await StopAsync();
        return false;
    }

    private async Task<bool> PingAsync()
    {
        try
        {
            using var client = new TcpClient();
            using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(1));
            await client.ConnectAsync("127.0.0.1", Port, timeout.Token);
            var stream = client.GetStream();
            await stream.WriteAsync("PING\r\n"u8.ToArray(), timeout.Token);
            var buffer = new byte[16];
            var read = await stream.ReadAsync(buffer, timeout.Token);
            return Encoding.ASCII.GetString(buffer, 0, read).StartsWith("+PONG", StringComparison.Ordinal);
        }
        catch (Exception e) when (e is SocketException or OperationCanceledException or IOException)
        {
            return false;
        }
    }
}
