using System.Reflection;
using Microsoft.Extensions.Time.Testing;
using Npgsql;
using Xunit.Sdk;

namespace Defender.SampleApi.Tests.Infrastructure;

/// <summary>The databases the sample runs on.</summary>
public enum SampleDatabaseKind
{
    /// <summary>The default: SQLite in memory, nothing to install.</summary>
    Sqlite,

    /// <summary>A real PostgreSQL server, named by <see cref="PostgresDataAttribute.EnvironmentVariable"/>.</summary>
    PostgreSql,
}

/// <summary>A theory row that runs the test on SQLite.</summary>
[AttributeUsage(AttributeTargets.Method)]
public sealed class SqliteDataAttribute : DataAttribute
{
    public override IEnumerable<object[]> GetData(MethodInfo testMethod) => [[SampleDatabaseKind.Sqlite]];
}

/// <summary>
/// A theory row that runs the test on the PostgreSQL server <c>DEFENDER_SAMPLE_POSTGRES</c> names (an Npgsql connection string
/// of a role that may create databases; <c>.ci/run</c> starts one). Without it the row reports itself skipped and says why, so
/// the README's <c>dotnet test</c> needs nothing but the SDK.
/// </summary>
[AttributeUsage(AttributeTargets.Method)]
public sealed class PostgresDataAttribute : DataAttribute
{
    public const string EnvironmentVariable = "DEFENDER_SAMPLE_POSTGRES";

    public PostgresDataAttribute()
    {
        if (ConnectionString is null)
        {
            Skip = $"No PostgreSQL server: set {EnvironmentVariable} to an Npgsql connection string (a role with CREATEDB), as .ci/run does, to run the sample's tests on PostgreSQL.";
        }
    }

    public static string? ConnectionString => Environment.GetEnvironmentVariable(EnvironmentVariable) is { Length: > 0 } value ? value : null;

    public override IEnumerable<object[]> GetData(MethodInfo testMethod) => [[SampleDatabaseKind.PostgreSql]];
}

/// <summary>
/// The sample on a fresh database of the given kind (a new PostgreSQL database per server, dropped afterwards), on a clock the
/// test moves, rate limits off unless the settings turn them on.
/// </summary>
public sealed class DatabaseSampleApiFactory : FakeTimeSampleApiFactory
{
    private readonly string? _postgresDatabase;
    private readonly string? _adminConnectionString;

    private DatabaseSampleApiFactory(IReadOnlyDictionary<string, string> settings, string? postgresDatabase, string? adminConnectionString)
        : base(settings)
    {
        _postgresDatabase = postgresDatabase;
        _adminConnectionString = adminConnectionString;
    }

    public static DatabaseSampleApiFactory Create(SampleDatabaseKind kind, IReadOnlyDictionary<string, string>? extra = null)
    {
        var settings = new Dictionary<string, string> { ["SampleApi:RateLimits:Enabled"] = "false" };
        foreach (var (key, value) in extra ?? new Dictionary<string, string>())
        {
            settings[key] = value;
        }

        if (kind == SampleDatabaseKind.Sqlite)
        {
            return new DatabaseSampleApiFactory(settings, null, null);
        }

        var admin = PostgresDataAttribute.ConnectionString
            ?? throw new InvalidOperationException($"{PostgresDataAttribute.EnvironmentVariable} is not set.");
        var database = "defender_sample_" + Guid.NewGuid().ToString("N");
        settings["SampleApi:PostgresConnectionString"] = new NpgsqlConnectionStringBuilder(admin) { Database = database }.ConnectionString;
        return new DatabaseSampleApiFactory(settings, database, admin);
    }

    public override async ValueTask DisposeAsync()
    {
        await base.DisposeAsync();
        if (_postgresDatabase is null)
        {
            return;
        }

        await DropPostgresDatabaseAsync(_adminConnectionString!, _postgresDatabase);
        GC.SuppressFinalize(this);
    }

    /// <summary>
    /// Drops a test database. <c>WITH (FORCE)</c> ends the sessions still on it, but not an autovacuum worker's (a superuser's
    /// process the test role may not signal: 42501): wait for it a few times, then leave the database to the throwaway cluster.
    /// </summary>
    public static async Task DropPostgresDatabaseAsync(string adminConnectionString, string database)
    {
        NpgsqlConnection.ClearAllPools();
        for (var attempt = 1; ; attempt++)
        {
            try
            {
                await using var connection = new NpgsqlConnection(adminConnectionString);
                await connection.OpenAsync();
                await using var drop = new NpgsqlCommand($"DROP DATABASE IF EXISTS \"{database}\" WITH (FORCE)", connection);
                await drop.ExecuteNonQueryAsync();
                return;
            }
            catch (PostgresException exception) when (exception.SqlState == PostgresErrorCodes.InsufficientPrivilege)
            {
                if (attempt == 5)
                {
                    return;
                }

                await Task.Delay(TimeSpan.FromMilliseconds(200 * attempt));
            }
        }
    }
}
