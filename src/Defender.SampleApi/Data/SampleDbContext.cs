using System.Text.Json;
using System.Text.Json.Serialization.Metadata;
using Defender.SampleApi.Json;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.ChangeTracking;
using Microsoft.EntityFrameworkCore.Metadata.Builders;
using Microsoft.EntityFrameworkCore.Storage.ValueConversion;

namespace Defender.SampleApi.Data;

/// <summary>
/// The sample's store: machines, their actions and the tenant's indicators, on SQLite or PostgreSQL. The model is the same on
/// both: lists of strings are the provider's primitive collections (JSON on SQLite, arrays on PostgreSQL), nested objects
/// that are only ever read whole are stored as JSON text.
/// </summary>
internal sealed class SampleDbContext(DbContextOptions<SampleDbContext> options) : DbContext(options)
{
    /// <summary>The filtered unique index that lets one pending action of each type per machine in, whatever the concurrency.</summary>
    public const string OnePendingActionIndex = "IX_MachineActions_OnePendingPerType";

    public DbSet<Machine> Machines => Set<Machine>();

    public DbSet<MachineAction> MachineActions => Set<MachineAction>();

    public DbSet<Indicator> Indicators => Set<Indicator>();

    protected override void ConfigureConventions(ModelConfigurationBuilder configurationBuilder)
    {
        // SQLite keeps no DateTime kind (and PostgreSQL's timestamptz wants UTC): every time in this API is UTC, so it is
        // written as UTC and reads back as UTC, serialized with a 'Z'.
        configurationBuilder.Properties<DateTime>().HaveConversion<UtcDateTimeConverter>();
    }

    protected override void OnModelCreating(ModelBuilder modelBuilder)
    {
        var machine = modelBuilder.Entity<Machine>();
        machine.HasIndex(m => m.ComputerDnsName);
        machine.Property(m => m.IpAddresses).HasJsonConversion(SampleJsonContext.Default.ListMachineIpAddress);

        var action = modelBuilder.Entity<MachineAction>();
        action.HasIndex(a => new { a.MachineId, a.Type })
            .IsUnique()
            .HasFilter($"\"Status\" = '{MachineActionStatuses.Pending}'")
            .HasDatabaseName(OnePendingActionIndex);
        action.HasIndex(a => a.CreationDateTimeUtc);
        action.Property(a => a.Commands).HasJsonConversion(SampleJsonContext.Default.ListLiveResponseCommandResult);
        action.Property(a => a.RelatedFileInfo).HasJsonConversion(SampleJsonContext.Default.RelatedFileInfo);

        var indicator = modelBuilder.Entity<Indicator>();
        indicator.HasIndex(i => new { i.IndicatorType, i.IndicatorValue }).IsUnique();
        indicator.HasIndex(i => i.Number).IsUnique();
    }

    private sealed class UtcDateTimeConverter() : ValueConverter<DateTime, DateTime>(
        v => v.ToUniversalTime(),
        v => DateTime.SpecifyKind(v, DateTimeKind.Utc));
}

internal static class JsonColumnExtensions
{
    /// <summary>A JSON text column for a value that is read and written whole; compared by its JSON, so edits are seen.</summary>
    public static PropertyBuilder<T> HasJsonConversion<T>(this PropertyBuilder<T> builder, JsonTypeInfo<T> typeInfo) =>
        builder.HasConversion(
            new ValueConverter<T, string>(
                v => JsonSerializer.Serialize<T>(v, typeInfo),
                v => JsonSerializer.Deserialize(v, typeInfo)!),
            new ValueComparer<T>(
                (a, b) => JsonSerializer.Serialize<T>(a!, typeInfo) == JsonSerializer.Serialize<T>(b!, typeInfo),
                v => JsonSerializer.Serialize<T>(v, typeInfo).GetHashCode(StringComparison.Ordinal),
                v => JsonSerializer.Deserialize(JsonSerializer.Serialize<T>(v, typeInfo), typeInfo)!));
}
