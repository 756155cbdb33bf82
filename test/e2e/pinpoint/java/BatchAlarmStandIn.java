import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.navercorp.pinpoint.batch.alarm.AlarmSenderConfiguration;
import com.navercorp.pinpoint.batch.alarm.AlarmSenderProperties;
import com.navercorp.pinpoint.batch.alarm.checker.AlarmCheckerInterface;
import com.navercorp.pinpoint.batch.alarm.sender.MailSender;
import com.navercorp.pinpoint.batch.alarm.vo.sender.payload.AlarmCheckerDetectedValue;
import com.navercorp.pinpoint.batch.alarm.vo.sender.payload.CheckerDetectedValue;
import com.navercorp.pinpoint.datasource.MainDataSourceConfiguration;
import com.navercorp.pinpoint.datasource.MainDataSourcePropertySource;
import com.navercorp.pinpoint.web.alarm.vo.Rule;
import com.navercorp.pinpoint.web.config.UserConfigProperties;
import com.navercorp.pinpoint.web.dao.mysql.MysqlAlarmDao;
import com.navercorp.pinpoint.web.dao.mysql.MysqlUserDao;
import com.navercorp.pinpoint.web.dao.mysql.MysqlUserGroupDao;
import com.navercorp.pinpoint.web.service.UserGroupService;
import com.navercorp.pinpoint.web.service.UserGroupServiceImpl;
import com.navercorp.pinpoint.web.service.UserServiceImpl;
import com.navercorp.pinpoint.web.vo.User;
import com.navercorp.pinpoint.web.vo.UserGroup;
import com.navercorp.pinpoint.web.vo.UserGroupMember;
import com.navercorp.pinpoint.web.vo.UserPhoneInfo;
import org.apache.ibatis.session.SqlSessionFactory;
import org.mybatis.spring.SqlSessionFactoryBean;
import org.mybatis.spring.SqlSessionTemplate;
import org.springframework.boot.SpringApplication;
import org.springframework.boot.WebApplicationType;
import org.springframework.boot.autoconfigure.mail.MailSenderAutoConfiguration;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.context.annotation.Import;
import org.springframework.context.annotation.PropertySource;
import org.springframework.core.io.ClassPathResource;
import org.springframework.mail.javamail.JavaMailSenderImpl;

import javax.sql.DataSource;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * The pinpoint-batch 3.x image's alarm job, as far as Maven Central serves it.
 *
 * No runnable pinpoint-batch is served, but the web 3.0.1 exec jar carries the
 * modules batch builds its alarm path from: pinpoint-batch-alarmsender (the mail
 * sender and its template), pinpoint-user (user groups), pinpoint-datasource
 * (the MySQL pool) and the web's MyBatis DAOs and mappers for alarm_rule and
 * user groups. This program boots those upstream classes as a Spring Boot
 * application, so the rendered batch env reaches them through Spring Boot's own
 * binding (spring.datasource.hikari.*, spring.mail.*, spring.mail.pinpoint-url,
 * over the defaults of batch's batch-root.properties that the image carries).
 *
 * Ours, not upstream's: the job loop and the checker. Every PERIOD seconds it
 * reads every rule from MySQL (as batch's AlarmReader does through the same
 * DAO); for a TOTAL COUNT rule it asks the web for the application's response
 * histogram over the past five minutes (the web reads it with MapResponseDao,
 * the DAO batch's ResponseTimeDataCollector reads) and sums every slot; the rule
 * is detected when that sum reaches the threshold (batch's LongValueAlarmChecker
 * decides by value >= threshold). A detected rule with email on is handed to
 * upstream's SpringSmtpMailSender once, as sequence 1, which writes the mail
 * with AlarmMailTemplate and sends it to the rule's user group's addresses.
 *
 * Env of the stand-in (the image would not have these): PINPOINT_STANDIN_WEB
 * (the web's in-cluster URL, for the histogram), PINPOINT_STANDIN_PERIOD
 * (seconds between checks; batch's own cron is every three minutes).
 */
@Configuration(proxyBeanMethods = false)
@Import({MainDataSourcePropertySource.class, MainDataSourceConfiguration.class, MailSenderAutoConfiguration.class, AlarmSenderProperties.class})
@PropertySource("file:${PINPOINT_STANDIN_BATCH_ROOT}")
public class BatchAlarmStandIn {

    static final String TOTAL_COUNT = "TOTAL COUNT";
    static final long WINDOW_MS = 5 * 60 * 1000L;
    /** The histogram slots of an application's response times, errors included: what TimeHistogram.getTotalCount adds up. */
    static final Set<String> SLOTS = Set.of("1s", "3s", "5s", "Slow", "Error", "100ms", "300ms", "500ms");

    @Bean
    public SqlSessionFactory sqlSessionFactory(DataSource dataSource) throws Exception {
        // As batch's dao config: camel-case mapping, the aliases its mappers name, the web jar's mappers.
        org.apache.ibatis.session.Configuration configuration = new org.apache.ibatis.session.Configuration();
        configuration.setMapUnderscoreToCamelCase(true);
        configuration.setDefaultStatementTimeout(5);
        configuration.getTypeAliasRegistry().registerAlias("Rule", Rule.class);
        configuration.getTypeAliasRegistry().registerAlias("User", User.class);
        configuration.getTypeAliasRegistry().registerAlias("UserGroup", UserGroup.class);
        configuration.getTypeAliasRegistry().registerAlias("UserGroupMember", UserGroupMember.class);
        configuration.getTypeAliasRegistry().registerAlias("UserPhoneInfo", UserPhoneInfo.class);
        SqlSessionFactoryBean factory = new SqlSessionFactoryBean();
        factory.setDataSource(dataSource);
        factory.setConfiguration(configuration);
        factory.setFailFast(true);
        factory.setMapperLocations(
                new ClassPathResource("mapper/AlarmMapper.xml"),
                new ClassPathResource("mapper/UserGroupMapper.xml"),
                new ClassPathResource("mapper/UserMapper.xml"));
        return factory.getObject();
    }

    @Bean
    public SqlSessionTemplate sqlSessionTemplate(SqlSessionFactory factory) {
        return new SqlSessionTemplate(factory);
    }

    @Bean
    public MysqlAlarmDao alarmDao(SqlSessionTemplate template) {
        return new MysqlAlarmDao(template);
    }

    @Bean
    public UserGroupService userGroupService(SqlSessionTemplate template) {
        UserServiceImpl users = new UserServiceImpl(new MysqlUserDao(template), Optional.empty(), Optional.empty());
        return new UserGroupServiceImpl(new MysqlUserGroupDao(template), Optional.empty(), new UserConfigProperties(), users);
    }

    /** Upstream's own factory method for the mail sender (its webhook beans are left out: webhook is off here). */
    @Bean
    public MailSender springMailSender(AlarmSenderProperties properties, UserGroupService userGroupService, JavaMailSenderImpl javaMailSender) {
        return new AlarmSenderConfiguration().springMailSender(properties, userGroupService, javaMailSender);
    }

    public static void main(String[] args) throws Exception {
        SpringApplication app = new SpringApplication(BatchAlarmStandIn.class);
        app.setWebApplicationType(WebApplicationType.NONE);
        ConfigurableApplicationContext context = app.run(args);
        MysqlAlarmDao rules = context.getBean(MysqlAlarmDao.class);
        MailSender mail = context.getBean(MailSender.class);
        JavaMailSenderImpl smtp = context.getBean(JavaMailSenderImpl.class);
        AlarmSenderProperties sender = context.getBean(AlarmSenderProperties.class);
        System.out.println("batch stand-in: mail via " + smtp.getHost() + ":" + smtp.getPort() + " (" + smtp.getProtocol() + ", from " + smtp.getJavaMailProperties().getProperty("mail.smtp.from") + "), links to " + sender.getPinpointUrl() + ", env " + sender.getBatchEnv());
        String web = System.getenv("PINPOINT_STANDIN_WEB");
        long period = Long.parseLong(Optional.ofNullable(System.getenv("PINPOINT_STANDIN_PERIOD")).orElse("10"));
        HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
        ObjectMapper json = new ObjectMapper();
        Set<String> sent = new HashSet<>();
        for (;;) {
            for (String applicationId : rules.selectApplicationId()) {
                for (Rule rule : rules.selectRuleByApplicationId(applicationId)) {
                    if (!TOTAL_COUNT.equals(rule.getCheckerName()) || sent.contains(rule.getRuleId())) continue;
                    long total;
                    try {
                        total = totalCount(http, json, web, rule);
                    } catch (Exception e) {
                        System.out.println("batch stand-in: rule " + rule.getRuleId() + ": no histogram (" + e + ")");
                        continue;
                    }
                    TotalCount checker = new TotalCount(rule, total);
                    checker.check();
                    System.out.println("batch stand-in: rule " + rule.getRuleId() + " " + rule.getCheckerName() + " on " + applicationId + ": " + total + " (threshold " + rule.getThreshold() + ") detected=" + checker.isDetected());
                    if (checker.isDetected() && checker.isEmailSend()) {
                        mail.sendEmail(checker, 1);
                        sent.add(rule.getRuleId());
                        System.out.println("batch stand-in: rule " + rule.getRuleId() + ": mail handed to SpringSmtpMailSender");
                    }
                }
            }
            Thread.sleep(period * 1000);
        }
    }

    /** The application's responses over the past five minutes, every agent and slot, as the web's MapResponseDao reads them. */
    static long totalCount(HttpClient http, ObjectMapper json, String web, Rule rule) throws Exception {
        long to = System.currentTimeMillis();
        String query = "applicationName=" + URLEncoder.encode(rule.getApplicationId(), StandardCharsets.UTF_8)
                + "&serviceTypeName=" + URLEncoder.encode(rule.getServiceType(), StandardCharsets.UTF_8)
                + "&from=" + (to - WINDOW_MS) + "&to=" + to;
        HttpResponse<String> r = http.send(HttpRequest.newBuilder(URI.create(web + "/api/getResponseTimeHistogramData?" + query)).timeout(Duration.ofSeconds(10)).build(), HttpResponse.BodyHandlers.ofString());
        if (r.statusCode() != 200) throw new IllegalStateException("web answered " + r.statusCode() + ": " + r.body());
        JsonNode summary = json.readTree(r.body()).path("summary");
        System.out.println("batch stand-in: histogram of " + rule.getApplicationId() + ": " + summary);
        long total = 0;
        for (JsonNode agent : summary) {
            for (Map.Entry<String, JsonNode> slot : (Iterable<Map.Entry<String, JsonNode>>) agent::fields) {
                if (SLOTS.contains(slot.getKey())) total += slot.getValue().asLong();
            }
        }
        return total;
    }

    /** A TOTAL COUNT checker: detected when the count reaches the threshold. */
    static final class TotalCount implements AlarmCheckerInterface {
        private final Rule rule;
        private final long value;
        private boolean detected;

        TotalCount(Rule rule, long value) {
            this.rule = rule;
            this.value = value;
        }

        public boolean isDetected() { return detected; }
        public boolean isSMSSend() { return rule.isSmsSend(); }
        public boolean isEmailSend() { return rule.isEmailSend(); }
        public boolean isWebhookSend() { return rule.isWebhookSend(); }
        public String getUserGroupId() { return rule.getUserGroupId(); }
        public String getUnit() { return ""; }
        public String getRuleId() { return rule.getRuleId(); }
        public void check() { detected = value >= rule.getThreshold(); }
        public Rule getRule() { return rule; }
        public String getEmailMessage(String pinpointUrl, String applicationId, String serviceType, String currentTime) {
            return rule.getCheckerName() + ": " + value + " responses in the past 5 minutes, threshold " + rule.getThreshold() + "<br>";
        }
        public List<String> getSmsMessage() { return List.of(rule.getApplicationId() + " " + rule.getCheckerName() + " " + value); }
        public String getCheckerType() { return "LongValueAlarmChecker"; }
        public CheckerDetectedValue getCheckerDetectedValue() { return new AlarmCheckerDetectedValue<>(value); }
    }
}
