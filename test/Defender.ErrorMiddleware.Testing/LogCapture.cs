using System.Collections.Concurrent;
using Microsoft.Extensions.Logging;

namespace Defender.ErrorMiddleware.Testing;

/// <summary>One captured log entry with its structured fields (after the configured level filters).</summary>
public sealed record LogEntry(
    string Category, LogLevel Level, EventId EventId, string Message, Exception? Exception, IReadOnlyList<KeyValuePair<string, object?>> Fields)
{
    /// <summary>The fields by name (the message template's placeholders, and <c>{OriginalFormat}</c>).</summary>
    public IReadOnlyDictionary<string, object?> State { get; } = Fields.DistinctBy(f => f.Key).ToDictionary(f => f.Key, f => f.Value);

    /// <summary>A field's value, or <see langword="null"/> when the entry has none of that name.</summary>
    public object? Field(string name) => State.GetValueOrDefault(name);

    /// <summary>The <c>Target</c> field the middleware logs with every error, when present.</summary>
    public Guid? Target => Field("Target") as Guid?;
}

/// <summary>A logger provider that keeps every entry, so tests can find the one line behind a target.</summary>
public sealed class LogCapture : ILoggerProvider
{
    /// <summary>The category the middleware logs under.</summary>
    public const string DefenderCategory = "Defender.ErrorMiddleware";

    private readonly ConcurrentQueue<LogEntry> _entries = new();

    /// <summary>Every entry so far, in order.</summary>
    public IReadOnlyList<LogEntry> Entries => [.. _entries];

    /// <summary>The middleware's own entries.</summary>
    public IEnumerable<LogEntry> FromDefender => Entries.Where(e => e.Category == DefenderCategory);

    /// <summary>Forgets every entry (e.g. after host start-up).</summary>
    public void Clear() => _entries.Clear();

    /// <inheritdoc/>
    public ILogger CreateLogger(string categoryName) => new Logger(categoryName, _entries);

    /// <inheritdoc/>
    public void Dispose()
    {
    }

    private sealed class Logger(string category, ConcurrentQueue<LogEntry> entries) : ILogger
    {
        private static readonly IReadOnlyList<KeyValuePair<string, object?>> NoFields = [];

        public IDisposable? BeginScope<TState>(TState state)
            where TState : notnull => null;

        public bool IsEnabled(LogLevel logLevel) => logLevel != LogLevel.None;

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
        {
            var fields = state is IEnumerable<KeyValuePair<string, object?>> pairs ? [.. pairs] : NoFields;
            entries.Enqueue(new LogEntry(category, logLevel, eventId, formatter(state, exception), exception, fields));
        }
    }
}

/// <summary>A provider whose loggers throw for one category, as a broken log sink would; other categories log nothing.</summary>
public sealed class ThrowingLogProvider(string category = LogCapture.DefenderCategory) : ILoggerProvider
{
    /// <inheritdoc/>
    public ILogger CreateLogger(string categoryName) =>
        categoryName == category ? new ThrowingLogger() : Microsoft.Extensions.Logging.Abstractions.NullLogger.Instance;

    /// <inheritdoc/>
    public void Dispose()
    {
    }

    private sealed class ThrowingLogger : ILogger
    {
        public IDisposable? BeginScope<TState>(TState state)
            where TState : notnull => null;

        public bool IsEnabled(LogLevel logLevel) => true;

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter) =>
            throw new InvalidOperationException("log sink is down");
    }
}
