using System.Diagnostics;
using System.Globalization;

namespace Defender.ErrorMiddleware.Benchmarks;

/// <summary>
/// The load script's clients in a process of their own, so the server's process CPU per request is the server's alone
/// (in one process the clients' share, alike in every configuration, dilutes every ratio). One long-lived child, driven
/// over stdin/stdout a line per cell: "address scenario-index seconds concurrency" → "requests seconds".
/// </summary>
internal sealed class LoadClientProcess : IDisposable
{
    private readonly Process _process;

    private LoadClientProcess(Process process) => _process = process;

    public static LoadClientProcess Start()
    {
        var host = Environment.ProcessPath!;
        var info = new ProcessStartInfo(host)
        {
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            UseShellExecute = false,
        };

        // Under `dotnet x.dll` the host needs the assembly; an apphost is the program itself.
        if (Path.GetFileNameWithoutExtension(host) == "dotnet")
        {
            info.ArgumentList.Add(typeof(LoadClientProcess).Assembly.Location);
        }

        info.ArgumentList.Add("load-client");
        return new LoadClientProcess(Process.Start(info)!);
    }

    public async Task<(long Requests, double Seconds)> RunAsync(Uri baseAddress, int scenario, TimeSpan duration, int concurrency)
    {
        await _process.StandardInput.WriteLineAsync(string.Create(CultureInfo.InvariantCulture,
            $"{baseAddress} {scenario} {duration.TotalSeconds} {concurrency}"));
        await _process.StandardInput.FlushAsync();
        var reply = (await _process.StandardOutput.ReadLineAsync())?.Split(' ')
            ?? throw new InvalidOperationException("The load client exited.");
        return (long.Parse(reply[0], CultureInfo.InvariantCulture), double.Parse(reply[1], CultureInfo.InvariantCulture));
    }

    /// <summary>The child's side: runs each cell it is sent, until its input ends.</summary>
    public static async Task ServeAsync()
    {
        var clients = new Dictionary<string, HttpClient>();
        while (await Console.In.ReadLineAsync() is { } line)
        {
            var parts = line.Split(' ');
            if (!clients.TryGetValue(parts[0], out var client))
            {
                clients[parts[0]] = client = new HttpClient(new SocketsHttpHandler { PooledConnectionLifetime = Timeout.InfiniteTimeSpan })
                {
                    BaseAddress = new Uri(parts[0]),
                };
            }

            var clock = Stopwatch.StartNew();
            var (_, count) = await LoadComparison.MeasureCountAsync(
                client, LoadComparison.Scenario(int.Parse(parts[1], CultureInfo.InvariantCulture)),
                TimeSpan.FromSeconds(double.Parse(parts[2], CultureInfo.InvariantCulture)), int.Parse(parts[3], CultureInfo.InvariantCulture));
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"{count} {clock.Elapsed.TotalSeconds}"));
        }
    }

    public void Dispose()
    {
        _process.StandardInput.Close();
        if (!_process.WaitForExit(5_000))
        {
            _process.Kill();
        }

        _process.Dispose();
    }
}
