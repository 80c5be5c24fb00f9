using System.Globalization;

namespace Defender.ErrorMiddleware.Benchmarks;

/// <summary>
/// Reads <c>perf script</c> output of the load script's servers (docs/performance.md, "Where the CPU goes, measured with
/// perf") and prints each configuration's CPU in units of identical work: its samples per sample of the authorization
/// middleware's subtree (authorization, the endpoint, the app's own throw), which every configuration runs alike. A ratio
/// of those units does not depend on request counts or on how busy the machine was while one cell ran.
/// </summary>
internal static class PerfUnits
{
    private const string SharedWork = "AuthorizationMiddleware+<Invoke>d__11::MoveNext";
    private const string DefenderMiddleware = "DefenderErrorMiddleware::InvokeAsync";
    private const string BuiltInAnswer = "ExceptionHandlerMiddlewareImpl+<<Invoke>g__Awaited";

    private sealed record Sample(double Time, List<string> Frames);

    public static void Print(string perfScriptPath)
    {
        var samples = Parse(perfScriptPath);
        var byConfiguration = Assign(samples);
        if (!byConfiguration.TryGetValue("Defender", out var defender) || !byConfiguration.TryGetValue("BuiltIn", out var builtIn))
        {
            Console.WriteLine("The trace holds no samples of both the Defender and the built-in configuration.");
            return;
        }

        double Units(List<Sample> configuration, Func<List<string>, bool> counted)
        {
            var shared = configuration.Count(s => Has(s.Frames, SharedWork));
            return shared == 0 ? double.NaN : (double)configuration.Count(s => counted(s.Frames)) / shared;
        }

        var rows = new (string Name, double Value)[]
        {
            ("built-in: all server CPU", Units(builtIn, _ => true)),
            ("— its answer (handler, ProblemDetails, status-code pages)", Units(builtIn, f => Has(f, BuiltInAnswer))),
            ("— its rethrows (ExceptionDispatchInfo.Throw)", Units(builtIn, f => Has(f, "ExceptionDispatchInfo::Throw"))),
            ("Defender: all server CPU", Units(defender, _ => true)),
            ("— our answer (our middleware, outside the app's pipeline)", Units(defender, OurAnswer)),
            ("—— the body (writing it, and Kestrel's flush of status line, headers and body)", Units(defender, f => OurAnswer(f)
                && (Has(f, "DefenderErrorWriter::WriteBodyAsync") || Has(f, "DefenderErrorWriter::TryWriteUnescapedBody")
                    || Has(f, "DefenderErrorWriter::WriteSerializedBody") || Has(f, "::FlushAsync")))),
            ("—— the targets (random source)", Units(defender, f => OurAnswer(f)
                && (Has(f, "ErrorTargets::Next") || Has(f, "RandomNumberGenerator") || Has(f, " read+0x")))),
            ("—— the log line", Units(defender, f => OurAnswer(f) && Under(f, DefenderMiddleware, "SafeLog"))),
            ("—— task.Exception's message lookup", Units(defender, f => OurAnswer(f) && Under(f, DefenderMiddleware, "SR::GetResourceString"))),
            ("—— the Activity tags", Units(defender, f => OurAnswer(f) && Under(f, DefenderMiddleware, "System.Diagnostics.Activity"))),
        };

        Console.WriteLine($"samples: {defender.Count} Defender, {builtIn.Count} built-in");
        foreach (var (name, value) in rows)
        {
            Console.WriteLine($"| {name} | {value.ToString("0.000", CultureInfo.InvariantCulture)} |");
        }

        Console.WriteLine($"| built-in ÷ Defender | {(rows[0].Value / rows[3].Value).ToString("0.00", CultureInfo.InvariantCulture)} |");

        // Our answer once more, each sample counted once, in the first of these it falls in.
        var parts = new (string Name, Func<List<string>, bool> Matches)[]
        {
            ("Kestrel writing the response (status line, headers, flush)", f => Has(f, "Http1OutputProducer") || Has(f, "HttpResponseHeaders::CopyTo") || Has(f, "::FlushAsync")),
            ("the log line", f => Has(f, "SafeLog")),
            ("the body's bytes", f => Has(f, "TryWriteUnescapedBody") || Has(f, "WriteSerializedBody") || Has(f, "WriteBodyAsync")),
            ("clearing the response, setting its headers", f => Has(f, "HttpResponseHeaders") || Has(f, "ClearResponse")),
            ("the platform signals (counter, error.type, listener, Activity tags, IExceptionHandlerFeature)", f => Has(f, "DefenderDiagnostics")
                || Has(f, "System.Diagnostics.Activity") || Has(f, "IFeatureCollection.Set")),
            ("reading the exception from the task", f => Has(f, "SR::") || Has(f, "AggregateException") || Has(f, "Task::get_Exception")),
            ("the targets", f => Has(f, "ErrorTargets::Next") || Has(f, "RandomNumberGenerator")),
            ("feature lookups (the status-code-pages feature on every request, the others on errors)", f => Has(f, "IFeatureCollection.Get")),
        };
        var answer = defender.Where(s => OurAnswer(s.Frames)).ToList();
        var shared = defender.Count(s => Has(s.Frames, SharedWork));
        Console.WriteLine("our answer, part by part:");
        foreach (var (name, matches) in parts.Append(("the rest", _ => true)))
        {
            var count = answer.RemoveAll(s => matches(s.Frames));
            Console.WriteLine($"| {name} | {((double)count / shared).ToString("0.000", CultureInfo.InvariantCulture)} |");
        }
    }

    /// <summary>Our middleware's own frames: under it, but not in the rest of the pipeline it calls.</summary>
    private static bool OurAnswer(List<string> frames) => Has(frames, DefenderMiddleware) && !Has(frames, SharedWork);

    private static bool Has(List<string> frames, string name) => frames.Exists(f => f.Contains(name, StringComparison.Ordinal));

    /// <summary>Whether <paramref name="name"/> is called (at any depth) by <paramref name="caller"/>; frames are leaf first.</summary>
    private static bool Under(List<string> frames, string caller, string name)
    {
        var callerAt = frames.FindLastIndex(f => f.Contains(caller, StringComparison.Ordinal));
        return callerAt > 0 && frames.GetRange(0, callerAt).Exists(f => f.Contains(name, StringComparison.Ordinal));
    }

    private static List<Sample> Parse(string path)
    {
        var samples = new List<Sample>();
        Sample? current = null;
        foreach (var line in File.ReadLines(path))
        {
            if (line.Length == 0)
            {
                current = null;
            }
            else if (!char.IsWhiteSpace(line[0]))
            {
                // "<thread> <tid> <seconds>: <period> cpu-clock:"
                var colon = line.IndexOf(": ", StringComparison.Ordinal);
                var start = line.LastIndexOf(' ', Math.Max(colon - 1, 0)) + 1;
                var time = colon > 0 && double.TryParse(line.AsSpan(start, colon - start), CultureInfo.InvariantCulture, out var t) ? t : 0;
                current = new Sample(time, []);
                samples.Add(current);
            }
            else
            {
                current?.Frames.Add(line.Trim());
            }
        }

        return samples;
    }

    /// <summary>
    /// Gives each sample to a configuration: its own, if its stack shows that configuration's error handling, else that of
    /// the nearest such sample within 50 ms (cells run one configuration at a time; Kestrel's parsing and the socket
    /// threads show none).
    /// </summary>
    private static Dictionary<string, List<Sample>> Assign(List<Sample> samples)
    {
        static string? Own(List<string> frames) =>
            Has(frames, "DefenderErrorMiddleware") ? "Defender"
            : Has(frames, "ExceptionHandlerMiddlewareImpl") || Has(frames, "StatusCodePagesMiddleware") ? "BuiltIn"
            : Has(frames, "ReportApplicationError") ? "Unhandled"
            : null;

        samples.Sort((a, b) => a.Time.CompareTo(b.Time));
        var marks = samples.Select(s => (s.Time, Configuration: Own(s.Frames))).Where(m => m.Configuration is not null).ToList();
        var times = marks.Select(m => m.Time).ToList();
        var result = new Dictionary<string, List<Sample>>();
        foreach (var sample in samples)
        {
            var index = times.BinarySearch(sample.Time);
            if (index < 0)
            {
                index = ~index;
            }

            var nearest = new[] { index - 1, index }
                .Where(i => i >= 0 && i < marks.Count)
                .Select(i => marks[i])
                .OrderBy(m => Math.Abs(m.Time - sample.Time))
                .FirstOrDefault();
            if (nearest.Configuration is null || Math.Abs(nearest.Time - sample.Time) > 0.05)
            {
                continue;
            }

            if (!result.TryGetValue(nearest.Configuration, out var list))
            {
                result[nearest.Configuration] = list = [];
            }

            list.Add(sample);
        }

        return result;
    }
}
