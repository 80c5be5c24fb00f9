using Microsoft.Extensions.Logging;

namespace Defender.SampleApi.Tests.Reliability;

/// <summary>Checks that the log and the answers tell the same story: one entry per error, found by the target the client got.</summary>
public static class LogAudit
{
    /// <summary>
    /// Every target the clients received is in exactly one entry of the middleware's category, and the middleware logged no
    /// target that no client received. Returns the problems (empty when none).
    /// </summary>
    public static List<string> OneEntryPerTarget(IEnumerable<LogEntry> records, ICollection<Guid> answered)
    {
        var logged = new Dictionary<Guid, int>();
        foreach (var record in records)
        {
            if (record.Category == LogCapture.DefenderCategory && record.Target is { } target)
            {
                logged[target] = logged.GetValueOrDefault(target) + 1;
            }
        }

        var problems = new List<string>();
        foreach (var target in answered)
        {
            var count = logged.GetValueOrDefault(target);
            if (count != 1)
            {
                problems.Add($"target {target} is in {count} log entries");
            }
        }

        var answeredSet = answered as ISet<Guid> ?? answered.ToHashSet();
        problems.AddRange(logged.Keys.Where(t => !answeredSet.Contains(t)).Take(20).Select(t => $"logged target {t} was never answered"));
        return problems;
    }

    /// <summary>
    /// Entries at Error or above, except the middleware reporting a 500 it answered and EF Core reporting the unique-index
    /// conflict the sample turns into ActiveRequestAlreadyExists (EF Core logs a failed SaveChanges at Error before the sample
    /// catches it; a finding about the sample, reported in docs/security.md, not a lost request).
    /// </summary>
    public static List<LogEntry> UnexpectedErrors(IEnumerable<LogEntry> records) =>
        [.. records.Where(r => r.Level >= LogLevel.Error
            && !(r.Category == LogCapture.DefenderCategory && r.EventId.Name == "DefenderServerError")
            && !IsLiveResponseConflict(r))];

    private static bool IsLiveResponseConflict(LogEntry record) =>
        record.Category.StartsWith("Microsoft.EntityFrameworkCore.", StringComparison.Ordinal)
        && ((record.Exception?.ToString().Contains("UNIQUE constraint failed: MachineActions.MachineId", StringComparison.Ordinal) ?? false)
            || (record.EventId.Name == "Microsoft.EntityFrameworkCore.Database.Command.CommandError"
                && record.Message.Contains("INSERT INTO \"MachineActions\"", StringComparison.Ordinal)));
}
